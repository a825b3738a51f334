'use client';

import { formatTime } from '@/components/ui/format';
import { InlineError } from '@/components/ui/inline-error';
import type { SagaStatus } from '@/infra/saga/definition';
import type { SagaIntervention } from '@/server/ops/ops.schema';
import { useInterventionsQuery } from './data/interventions-query';

const outcomeText: Record<SagaIntervention['outcome'], string> = {
  requested: 'waiting for a second person',
  approved: 'approved, running',
  rejected: 'rejected: nothing was done',
  started: 'started, compensating',
  succeeded: 'ran',
  failed: 'failed',
};

/** One intervention: who asked, who approved (or rejected), how it ended. */
export function InterventionItem({ i }: { i: SagaIntervention }) {
  const what = i.action === 'saga.resume' ? 'Resume' : 'Compensation';
  return (
    <li
      aria-label={`${what} requested by ${i.requestedBy.name}`}
      className="rounded border border-accent/60 p-3 text-sm"
    >
      <p>
        <span className="font-semibold">{what}</span> requested by <strong>{i.requestedBy.name}</strong> at{' '}
        {formatTime(i.requestedAt)}
        {i.ticket ? ` · ${i.ticket}` : ''}
        {i.reason ? `: ${i.reason}` : ''}
      </p>
      <p className="mt-1">
        {i.decidedBy ? (
          <>
            {i.decidedBy.decision === 'approved' ? 'Approved' : 'Rejected'} by <strong>{i.decidedBy.name}</strong> at{' '}
            {formatTime(i.decidedBy.at)}
          </>
        ) : i.approvalId ? (
          'No decision yet'
        ) : (
          'Ran without an approval'
        )}{' '}
        · {outcomeText[i.outcome]}
      </p>
    </li>
  );
}

/** Manual interventions on the saga (compensations and resumes, with both people of maker-checker). */
export function SagaInterventions({ sagaId, status }: { sagaId: string; status: SagaStatus }) {
  const query = useInterventionsQuery(sagaId, status);
  if (query.isError)
    return <InlineError error={query.error} what="the interventions" onRetry={() => void query.refetch()} />;
  const items = query.data ?? [];
  if (items.length === 0) return null;
  return (
    <section aria-label="Manual interventions" className="mb-6">
      <h2 className="mb-2 text-sm font-semibold">Manual interventions</h2>
      <ol className="flex flex-col gap-2">
        {items.map((i) => (
          <InterventionItem key={i.approvalId ?? `${i.requestedAt}-${i.requestedBy.id}`} i={i} />
        ))}
      </ol>
    </section>
  );
}
