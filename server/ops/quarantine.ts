import 'server-only';
import { createHash } from 'node:crypto';
import { quarantineNeedsApproval } from '../approvals/policy';
import type { Caller } from '../auth/permissions.schema';
import { PlatformError } from '../platform/port';
import type { FailureClassSummary } from '../platform/triage.schema';
import type { OpsContext, RequestMeta } from './context';
import { runGuardedAction } from './guarded-action';
import type { ActionOutcome, QuarantineRequest } from './ops.schema';
import { MAX_QUARANTINE_EXPORT_BYTES, quarantineCsv, quarantineJson, type QuarantineResult } from './quarantine.schema';

/** What a quarantine acts on (the audited inputs; the approval stores it). */
export interface QuarantineInput {
  queueId: string;
  classIds: string[];
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The DLQ's classes named by `classIds`, each of them permanent: unknown or retryable classes are
 * refused naming the index (retryable ones are redriven, never deleted).
 */
export async function permanentClasses(
  ctx: OpsContext,
  caller: Caller,
  input: QuarantineInput,
): Promise<FailureClassSummary[]> {
  const pair = (await ctx.platform.listQueuePairs(caller)).find((p) => p.id === input.queueId);
  if (!pair) throw new PlatformError('Invalid', `queueId: unknown queue ${JSON.stringify(input.queueId)}`, 'queueId');
  const classes = new Map((await ctx.platform.listFailureClasses(caller, input.queueId)).map((c) => [c.classId, c]));
  return input.classIds.map((id, i) => {
    const c = classes.get(id);
    if (!c)
      throw new PlatformError(
        'Conflict',
        `classIds.${i}: the ${input.queueId} DLQ holds no dead letters of class ${id}`,
        `classIds.${i}`,
      );
    if (c.verdict !== 'permanent')
      throw new PlatformError(
        'Invalid',
        `classIds.${i}: class ${id} (${c.errorType} at ${c.step}) is retryable: redrive it, only permanent classes are quarantined`,
        `classIds.${i}`,
      );
    return c;
  });
}

/**
 * The quarantine itself, the same code with or without an approval: export the classes' dead
 * letters, refuse unless the export is complete and fits the store, hash it (JSON and CSV), then
 * remove exactly the exported ids. Nothing is removed when any step before the removal fails.
 */
export async function executeQuarantine(
  ctx: OpsContext,
  caller: Caller,
  input: QuarantineInput,
  /** An approved request: the number of messages the approver saw; more now is refused. */
  approvedMessages?: number,
): Promise<QuarantineResult> {
  await permanentClasses(ctx, caller, input);
  const exported = await ctx.platform.exportDeadLetters(caller, input.queueId, input.classIds);
  if (approvedMessages !== undefined && exported.items.length > approvedMessages)
    throw new PlatformError(
      'Conflict',
      `classIds: these classes now hold ${exported.items.length} dead letters but ${approvedMessages} were approved; ask for a new approval; nothing was removed`,
      'classIds',
    );
  if (!exported.complete || exported.missing.length > 0)
    throw new PlatformError(
      'Conflict',
      `classIds: the export holds ${exported.items.length} of the ${exported.indexed} dead letters of these classes (${exported.missing.length} could not be read); nothing was removed`,
      'classIds',
    );
  if (exported.items.length === 0)
    throw new PlatformError(
      'Conflict',
      'classIds: these classes hold no dead letters any more: nothing to quarantine',
      'classIds',
    );
  const json = quarantineJson({
    queueId: input.queueId,
    classIds: input.classIds,
    exportedAt: exported.exportedAt,
    count: exported.items.length,
    items: exported.items,
  });
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_QUARANTINE_EXPORT_BYTES)
    throw new PlatformError(
      'Conflict',
      `classIds: the export is ${bytes.toLocaleString('en-US')} bytes, over the ${MAX_QUARANTINE_EXPORT_BYTES.toLocaleString('en-US')} the console stores for one quarantine; quarantine fewer classes at a time; nothing was removed`,
      'classIds',
    );
  const hashes = { json: sha256(json), csv: sha256(quarantineCsv(exported.items)) };
  const removed = await ctx.platform.removeDeadLetters(
    caller,
    input.queueId,
    exported.items.map((m) => m.id),
  );
  return {
    queueId: input.queueId,
    classIds: input.classIds,
    exportedAt: exported.exportedAt,
    exported: exported.items.length,
    removed: removed.removed.length,
    notFound: removed.notFound,
    sha256: hashes,
    json,
  };
}

/** The audit row's result: the hashes and counts, never the bodies. */
export function quarantineSummary(r: QuarantineResult) {
  return {
    sha256: r.sha256.json,
    sha256Csv: r.sha256.csv,
    exported: r.exported,
    removed: r.removed,
    notFound: r.notFound,
  };
}

/**
 * Quarantine a DLQ's permanent failure classes: one guarded action (reason, maker-checker above
 * the policy's threshold, audited with the export's sha256). The approved request runs
 * executeQuarantine too (server/ops/approvals.ts).
 */
export function quarantine(
  ctx: OpsContext,
  caller: Caller,
  req: QuarantineRequest,
  meta: RequestMeta,
): Promise<ActionOutcome<QuarantineResult>> {
  const input: QuarantineInput = { queueId: req.queueId, classIds: req.classIds };
  return runGuardedAction(ctx, caller, meta, {
    action: 'queue.quarantine',
    idempotency: { action: 'queue.quarantine', input: req },
    reason: req.reason,
    ticket: req.ticket,
    claim: {
      scope: `queue.quarantine:queue:${req.queueId}`,
      field: 'queueId',
      detail: `a quarantine of the ${req.queueId} DLQ`,
    },
    check: async () => {
      const classes = await permanentClasses(ctx, caller, input);
      const messages = classes.reduce((n, c) => n + c.count, 0);
      const preview = {
        messages,
        classes: classes.map((c) => ({
          classId: c.classId,
          errorType: c.errorType,
          step: c.step,
          normalisedMessage: c.normalisedMessage,
          count: c.count,
        })),
      };
      return {
        inputs: input,
        target: `queue:${req.queueId}`,
        approval: quarantineNeedsApproval(ctx.policy, messages) ? { preview: () => preview } : null,
      };
    },
    act: (inputs) => executeQuarantine(ctx, caller, inputs),
    outcome: 'succeeded',
    summary: quarantineSummary,
  });
}
