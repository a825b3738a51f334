'use client';

import { useContext, useEffect } from 'react';
import { QueryClientContext } from '@tanstack/react-query';
import { useAlarmsQuery } from '@/components/alarms/data/alarms-query';
import { QueryProvider } from '@/components/providers/query-provider';

const prefix = /^\(\d+\) /;

/** `title` with the firing count in front ("(2) Alarms · Ledgerline"); unchanged base when none fires. */
export function titleWithFiring(title: string, firing: number): string {
  const base = title.replace(prefix, '');
  return firing > 0 ? `(${firing}) ${base}` : base;
}

/** Puts the count in front of the document's title, unless it is there already. */
export function applyFiringTitle(doc: { title: string }, firing: number): void {
  const want = titleWithFiring(doc.title, firing);
  if (doc.title !== want) doc.title = want;
}

function FiringTitleSync() {
  const { data } = useAlarmsQuery({ state: 'ALARM' });
  const firing = data?.length;
  useEffect(() => {
    if (firing === undefined) return;
    applyFiringTitle(document, firing);
    // Each page sets its own title on navigation: put the count back in front of the new one.
    const observer = new MutationObserver(() => applyFiringTitle(document, firing));
    observer.observe(document.head, { childList: true, subtree: true, characterData: true });
    return () => {
      observer.disconnect();
      applyFiringTitle(document, 0);
    };
  }, [firing]);
  return null;
}

/**
 * The browser tab's title carries the number of alarms in ALARM ("(2) Ledgerline") on every
 * console page, from the alarms query (polled like the alarms list). Renders nothing; brings its
 * own query client where the shell sits outside the page's.
 */
export function FiringTitle() {
  const client = useContext(QueryClientContext);
  return client ? (
    <FiringTitleSync />
  ) : (
    <QueryProvider>
      <FiringTitleSync />
    </QueryProvider>
  );
}
