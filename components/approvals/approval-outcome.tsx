import { AppLink } from '@/components/ui/app-link';
import type { Approval } from '@/server/approvals/approval.schema';

export type ApprovalOutcome =
  | { kind: 'failed'; error: string; code: string | null }
  | { kind: 'executed'; verb: 'Started' | 'Ran on'; label: string; href: string }
  | null;

type Settled = Pick<Approval, 'action' | 'status' | 'input' | 'result'>;

function parse(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/**
 * What became of an approved request: why it failed (the server's error text), or where to follow
 * what it started (the redrive or replay on the replays page, the saga's timeline).
 */
export function approvalOutcome(a: Settled): ApprovalOutcome {
  const result = parse(a.result);
  if (a.status === 'FAILED') {
    const error = str(result?.error) ?? a.result ?? 'the server recorded no reason';
    return { kind: 'failed', error, code: str(result?.code) };
  }
  if (a.status !== 'EXECUTED') return null;
  switch (a.action) {
    case 'redrive.start': {
      const id = str(result?.id);
      return {
        kind: 'executed',
        verb: 'Started',
        label: id ? `Redrive ${id}` : 'The redrive',
        href: '/replays?tab=redrives',
      };
    }
    case 'replay.start': {
      const name = str(result?.name);
      return {
        kind: 'executed',
        verb: 'Started',
        label: name ? `Replay ${name}` : 'The replay',
        href: '/replays?tab=replays',
      };
    }
    case 'saga.compensate':
    case 'saga.resume': {
      const sagaId = str(result?.id) ?? str(parse(a.input)?.sagaId);
      return sagaId
        ? { kind: 'executed', verb: 'Ran on', label: `Saga ${sagaId}`, href: `/sagas/${encodeURIComponent(sagaId)}` }
        : null;
    }
    case 'queue.quarantine': {
      const queueId = str(result?.queueId) ?? str(parse(a.input)?.queueId);
      const removed = typeof result?.removed === 'number' ? result.removed : null;
      return queueId
        ? {
            kind: 'executed',
            verb: 'Ran on',
            label: `Quarantine of ${removed ?? 'the'} dead letters of ${queueId} (export on the queue page)`,
            href: `/queues/${encodeURIComponent(queueId)}`,
          }
        : null;
    }
  }
}

/** The outcome line of a settled request (nothing for pending, rejected or expired ones). */
export function ApprovalOutcomeLine({ approval }: { approval: Settled }) {
  const outcome = approvalOutcome(approval);
  if (!outcome) return null;
  if (outcome.kind === 'failed') {
    return (
      <p role="alert" className="mt-2 rounded border border-danger/60 bg-danger/10 px-3 py-2">
        <span className="font-semibold">Approved, but it did not run: </span>
        {outcome.error}
        {outcome.code ? <span className="ml-2 text-xs text-fg-muted">({outcome.code})</span> : null}
      </p>
    );
  }
  return (
    <p className="mt-2">
      {outcome.verb}:{' '}
      <AppLink href={outcome.href} className="text-accent underline">
        {outcome.label}
      </AppLink>
    </p>
  );
}
