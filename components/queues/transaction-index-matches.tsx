'use client';

import { formatTime } from '@/components/ui/format';
import { InlineError } from '@/components/ui/inline-error';
import { useDeadLettersByTransactionQuery } from './data/failure-classes-query';

/**
 * The search's answer from the failure index: the DLQ's dead letters of this transaction id, found
 * with one query whatever the depth (the message list below may have to scan on SQS).
 */
export function TransactionIndexMatches({ queueId, search }: { queueId: string; search: string }) {
  const query = useDeadLettersByTransactionQuery(queueId, search);
  if (query.isError) return <InlineError error={query.error} what="the failure index" />;
  if (!query.data || query.data.length === 0) return null;
  return (
    <section aria-label="Failure index matches" className="mb-3 rounded border border-accent/60 p-3 text-sm">
      <h3 className="font-medium">
        Transaction {search}: {query.data.length} dead letter{query.data.length === 1 ? '' : 's'} in the failure index
      </h3>
      <ul className="mt-1 flex flex-col gap-1">
        {query.data.map((e) => (
          <li key={e.messageId} className="font-mono text-xs">
            message {e.messageId} · {e.errorType} at {e.step} ({e.verdict}) · dead-lettered{' '}
            {formatTime(e.deadLetteredAt)} · {e.error}
          </li>
        ))}
      </ul>
    </section>
  );
}
