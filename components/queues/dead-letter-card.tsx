import type { ReactNode } from 'react';
import { AppLink } from '@/components/ui/app-link';
import { formatTime, prettyJson } from '@/components/ui/format';
import type { DeadLetterMessage } from '@/server/platform/platform.schema';

/** One dead letter: its error first, then body (pretty-printed), attributes and provenance. */
export function DeadLetterCard({ message, actions }: { message: DeadLetterMessage; actions?: ReactNode }) {
  const attrs = Object.entries(message.attributes);
  return (
    <article
      aria-label={`Dead letter ${message.id}`}
      className="rounded border border-border bg-surface-raised p-3 text-sm"
    >
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <span className="font-mono text-xs">{message.id}</span>
        {message.transactionId ? (
          <AppLink
            href={`/sagas?transactionId=${encodeURIComponent(message.transactionId)}&range=7d`}
            className="text-xs text-accent underline"
          >
            Transaction {message.transactionId}
          </AppLink>
        ) : (
          <span className="text-xs text-fg-muted">no transaction id</span>
        )}
        <span
          className="text-xs text-fg-muted"
          title="Receives so far (ApproximateReceiveCount). On AWS, listing dead letters receives them, so each view of this list adds one."
        >
          received {message.receiveCount}×
        </span>
        <span className="text-xs text-fg-muted">dead-lettered {formatTime(message.deadLetteredAt)}</span>
        {actions ? <span className="ml-auto">{actions}</span> : null}
      </header>
      <p className="mt-2 rounded bg-danger/10 px-2 py-1 font-mono text-xs text-danger" data-testid="last-error">
        {message.lastError ?? 'No error recorded'}
      </p>
      <details className="mt-2">
        <summary className="cursor-pointer text-xs text-fg-muted">Body, attributes and source</summary>
        <dl className="mt-2 grid gap-x-4 gap-y-1 text-xs sm:grid-cols-[max-content_1fr]">
          <dt className="text-fg-muted">Source queue</dt>
          <dd className="font-mono">{message.sourceQueue}</dd>
          <dt className="text-fg-muted">First sent</dt>
          <dd>{formatTime(message.sentAt)}</dd>
          {attrs.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-fg-muted">{k}</dt>
              <dd className="font-mono break-all">{v}</dd>
            </div>
          ))}
        </dl>
        <pre
          tabIndex={0}
          aria-label="Message body"
          className="mt-2 max-h-80 overflow-auto rounded bg-surface p-2 font-mono text-xs"
        >
          {prettyJson(message.body)}
        </pre>
      </details>
    </article>
  );
}
