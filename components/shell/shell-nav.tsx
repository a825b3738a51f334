'use client';

import { useEffect, useRef, useState } from 'react';
import { usePathname } from 'next/navigation';
import type { Caller } from '@/server/auth/permissions.schema';
import { NavLinks } from './nav-links';

/**
 * The main navigation: a sidebar from 768 px up; below, a bar with a Menu button that shows
 * the links under it (aria-expanded). Escape closes the menu and returns focus to the button;
 * following a link closes it.
 */
export function ShellNav({ caller }: { caller: Caller | null }) {
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  const [shownFor, setShownFor] = useState(pathname);
  const button = useRef<HTMLButtonElement>(null);
  if (shownFor !== pathname) {
    setShownFor(pathname);
    setOpen(false);
  }
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);
  return (
    <nav
      aria-label="Main"
      className="shrink-0 border-b border-border bg-surface-raised p-3 md:w-52 md:border-r md:border-b-0"
    >
      <div className="flex items-center justify-between gap-2 md:block">
        <p className="px-3 text-lg font-bold tracking-tight md:mb-4">Ledgerline</p>
        <button
          ref={button}
          type="button"
          aria-expanded={open}
          aria-controls="main-nav-links"
          onClick={() => setOpen((o) => !o)}
          className="rounded border border-border px-3 py-1.5 text-sm font-medium md:hidden"
        >
          {open ? 'Close menu' : 'Menu'}
        </button>
      </div>
      <div id="main-nav-links" className={`${open ? 'mt-2 block' : 'hidden'} md:mt-0 md:block`}>
        <NavLinks caller={caller} />
      </div>
    </nav>
  );
}
