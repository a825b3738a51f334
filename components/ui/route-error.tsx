'use client';

/** The body of a route's error.tsx: what failed, the digest to quote, and a reset. */
export function RouteError({
  error,
  reset,
  what,
}: {
  error: Error & { digest?: string };
  reset: () => void;
  what: string;
}) {
  return (
    <div role="alert" className="rounded border border-danger/60 bg-danger/10 p-4 text-sm">
      <h2 className="font-semibold text-danger">The {what} page failed to render</h2>
      <p className="mt-1">{error.message || 'Unexpected error'}</p>
      {error.digest ? (
        <p className="mt-1 text-xs text-fg-muted">
          Error digest <code className="font-mono">{error.digest}</code> (quote it when you report this)
        </p>
      ) : null}
      <button type="button" onClick={reset} className="mt-3 rounded border border-border px-2 py-1 text-xs">
        Try again
      </button>
    </div>
  );
}
