import 'server-only';
import type { Caller } from '@/server/auth/permissions.schema';
import type { OpsContext } from '@/server/ops/context';
import { pathId } from '@/server/ops/ids';
import { queueIdSchema } from '@/server/platform/inputs.schema';
import type { DeadLetterIndexEntry, FailureClassSummary } from '@/server/platform/triage.schema';

/** A DLQ's failure classes from the failure index, most frequent first (the triage view). */
export function listFailureClasses(ctx: OpsContext, caller: Caller, rawId: string): Promise<FailureClassSummary[]> {
  return ctx.platform.listFailureClasses(caller, pathId(queueIdSchema, 'id', rawId));
}

/** The DLQ's dead letters of one transaction, from the failure index (one query, whatever the depth). */
export function searchDeadLettersByTransaction(
  ctx: OpsContext,
  caller: Caller,
  rawId: string,
  transactionId: string,
): Promise<DeadLetterIndexEntry[]> {
  return ctx.platform.searchDeadLetters(caller, pathId(queueIdSchema, 'id', rawId), transactionId);
}
