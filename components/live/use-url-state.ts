'use client';

import { useCallback } from 'react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';

export type UrlPatch = Record<string, string | null | undefined>;

/** Updates the page's query string (filters, ranges, tabs, cursors) so every view is a deep link. */
export function useUrlState(): { params: URLSearchParams; set: (patch: UrlPatch, mode?: 'push' | 'replace') => void } {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const set = useCallback(
    (patch: UrlPatch, mode: 'push' | 'replace' = 'push') => {
      const next = new URLSearchParams(search.toString());
      for (const [key, value] of Object.entries(patch)) {
        if (value === null || value === undefined || value === '') next.delete(key);
        else next.set(key, value);
      }
      const qs = next.toString();
      const href = qs ? `${pathname}?${qs}` : pathname;
      if (mode === 'push') router.push(href, { scroll: false });
      else router.replace(href, { scroll: false });
    },
    [router, pathname, search],
  );
  return { params: new URLSearchParams(search.toString()), set };
}
