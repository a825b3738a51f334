import 'server-only';
import type { Stage } from '../../infra/platform/description';
import { defaultPolicy, type ApprovalPolicy } from '../approvals/policy';
import { SqliteApprovalStore, type ApprovalStore } from '../approvals/store';
import { consoleDb } from '../audit/console-db';
import { SqliteIdempotencyStore, type IdempotencyStore } from '../audit/idempotency-store';
import { SqliteAuditStore, type AuditStore } from '../audit/store';
import { env } from '../env';
import { getPlatform } from '../platform';
import type { Platform } from '../platform/port';

/** Everything a write verb needs; tests build one on a temp data dir with the real local adapter. */
export interface OpsContext {
  platform: Platform;
  audit: AuditStore;
  approvals: ApprovalStore;
  idempotency: IdempotencyStore;
  policy: ApprovalPolicy;
  now: () => number;
}

/** Per request: the request id and the Idempotency-Key header. */
export interface RequestMeta {
  requestId: string;
  idempotencyKey: string | null;
}

export function createOpsContext(
  platform: Platform,
  dataDir: string,
  stage: Stage,
  now: () => number = Date.now,
): OpsContext {
  const db = consoleDb(dataDir);
  return {
    platform,
    audit: new SqliteAuditStore(db),
    approvals: new SqliteApprovalStore(db),
    idempotency: new SqliteIdempotencyStore(db),
    policy: defaultPolicy(stage),
    now,
  };
}

export async function getOpsContext(): Promise<OpsContext> {
  return createOpsContext(await getPlatform(), env.LEDGERLINE_DATA_DIR, env.LEDGERLINE_STAGE);
}
