'use client';

import { useState } from 'react';
import { CSRF_HEADER } from '@/server/auth/csrf.schema';
import { ensureCsrfToken } from './csrf';

/** Ends the session server-side, then goes to the sign-in page. */
export function SignOutButton() {
  const [pending, setPending] = useState(false);
  async function signOut() {
    setPending(true);
    try {
      await fetch('/api/auth/sign-out', { method: 'POST', headers: { [CSRF_HEADER]: await ensureCsrfToken() } });
    } finally {
      // A full navigation (not router.push): drops every client cache of the signed-out user.
      window.location.replace(new URL('/sign-in', window.location.origin).href);
    }
  }
  return (
    <button
      type="button"
      onClick={signOut}
      disabled={pending}
      className="rounded border border-border px-2 py-1 text-xs text-fg-muted hover:text-fg disabled:opacity-50"
    >
      Sign out
    </button>
  );
}
