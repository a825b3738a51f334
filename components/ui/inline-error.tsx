'use client';

import { ApiError } from '@/components/providers/api-client';

/** An inline error for a data view: what failed, the request id to quote, and a retry. */
export function InlineError({
  error,
  onRetry,
  what = 'data',
}: {
  error: unknown;
  onRetry?: () => void;
  what?: string;
}) {
  const api = error instanceof ApiError ? error : null;
  const message = error instanceof Error ? error.message : 'Unknown error';
  return (
    <div role="alert" className="rounded border border-danger/60 bg-danger/10 p-3 text-sm">
      <p className="font-semibold text-danger">Could not load {what}</p>
      <p className="mt-1">{message}</p>
      <p className="mt-1 text-xs text-fg-muted">
        {api ? `${api.code}${api.status ? ` (HTTP ${api.status})` : ''}` : null}
        {api?.requestId ? (
          <>
            {' · request id '}
            <code data-testid="request-id" className="font-mono">
              {api.requestId}
            </code>
          </>
        ) : null}
      </p>
      {onRetry ? (
        <button type="button" onClick={onRetry} className="mt-2 rounded border border-border px-2 py-1 text-xs">
          Retry
        </button>
      ) : null}
    </div>
  );
}
