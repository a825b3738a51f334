import 'server-only';
import type { AuditEntry } from '@/server/audit/audit.schema';
import type { Caller } from '@/server/auth/permissions.schema';
import type { OpsContext } from '@/server/ops/context';
import type { SagaIntervention } from '@/server/ops/ops.schema';
import { sagaIdSchema } from '@/server/platform/inputs.schema';
import { pathId } from '../ids';

/** Audit rows read per saga: far more than the interventions one saga ever gets. */
const MAX_ROWS = 200;

const isSagaAction = (a: AuditEntry['action']): a is SagaIntervention['action'] =>
  a === 'saga.compensate' || a === 'saga.resume';

/**
 * The manual interventions on one saga, oldest first, from the audit log: who asked for each
 * compensation or resume, who approved or rejected it (maker-checker), and how it ended. One
 * request with an approval is one intervention, however many rows it wrote.
 */
export async function sagaInterventions(ctx: OpsContext, _caller: Caller, rawId: string): Promise<SagaIntervention[]> {
  const id = pathId(sagaIdSchema, 'id', rawId);
  const target = `saga:${id}`;
  const page = await ctx.audit.list({ q: target, limit: MAX_ROWS });
  // `q` matches by substring: keep this saga's rows only, oldest first.
  // By time, then sequence: with several console tasks each writes its own chain (seq per writer).
  const rows = page.items.filter((e) => e.target === target).sort((a, b) => a.at.localeCompare(b.at) || a.seq - b.seq);
  return interventionsOf(rows);
}

/** Folds a saga's audit rows (oldest first) into interventions. Pure. */
export function interventionsOf(rows: readonly AuditEntry[]): SagaIntervention[] {
  const out: SagaIntervention[] = [];
  const byApproval = new Map<string, SagaIntervention>();
  for (const e of rows) {
    if (e.action === 'saga.compensate.completed') {
      // Written when the saga left COMPENSATING (server/ops/task-completion.ts): the latest one's end.
      const last = out.at(-1);
      if (last && (e.outcome === 'succeeded' || e.outcome === 'failed')) last.outcome = e.outcome;
      continue;
    }
    const filed = e.approvalId ? byApproval.get(e.approvalId) : undefined;
    if (e.action === 'approval.approve' || e.action === 'approval.reject') {
      if (!filed) continue; // a decision on a request this page does not hold
      const decision = e.action === 'approval.approve' ? 'approved' : 'rejected';
      filed.decidedBy = { id: e.actorId, name: e.actorName, decision, at: e.at };
      filed.outcome = decision;
      continue;
    }
    if (!isSagaAction(e.action)) continue;
    if (filed) {
      if (e.outcome === 'started' || e.outcome === 'succeeded' || e.outcome === 'failed') filed.outcome = e.outcome;
      continue;
    }
    if (e.outcome !== 'requested' && e.outcome !== 'started' && e.outcome !== 'succeeded' && e.outcome !== 'failed')
      continue;
    const item: SagaIntervention = {
      action: e.action,
      approvalId: e.approvalId,
      requestedBy: { id: e.actorId, name: e.actorName },
      requestedAt: e.at,
      reason: e.reason,
      ticket: e.ticket,
      decidedBy: null,
      outcome: e.outcome,
    };
    out.push(item);
    if (e.approvalId) byApproval.set(e.approvalId, item);
  }
  return out;
}
