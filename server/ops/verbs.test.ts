import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine } from '@/infra/embedded/engine';
import { NAMES } from '@/infra/embedded/names';
import { dataDirOf, removeDataDir, startTestEngine, tickUntil } from '@/infra/embedded/test-support';
import type { Caller } from '@/server/auth/permissions.schema';
import { seedLocalUsers } from '@/server/auth/users';
import { consoleDb } from '@/server/db/console-db';
import { createLocalPlatform } from '@/server/platform/local/adapter';
import { decideApproval } from './approvals';
import { requestCompensation } from './compensate';
import { createOpsContext, type OpsContext } from './context';
import { startRedrive } from './redrive';
import { startReplay } from './replay';

const operator: Caller = { id: 'u-operator', name: 'Omar Operator', role: 'operator' };
const approver: Caller = { id: 'u-approver', name: 'Ada Approver', role: 'approver' };
const meta = (key: string | null = null) => ({ requestId: `req-${Math.random()}`, idempotencyKey: key });

let dataDir: string;
let engine: Engine;
let ctx: OpsContext;

beforeAll(async () => {
  // A seeded engine: history, sagas of every outcome, dead letters.
  engine = await startTestEngine('verbs', { seed: true, log: () => undefined });
  dataDir = dataDirOf(engine);
  ctx = createOpsContext(createLocalPlatform({ dataDir }), dataDir, 'local');
  await seedLocalUsers(consoleDb(dataDir)); // approved actions run with the requester's current role
}, 120_000);

afterAll(() => {
  engine.close();
  removeDataDir(dataDir);
});

describe('write verbs', () => {
  it('starts one replay for a double click with the same Idempotency-Key, and answers both the same', async () => {
    const req = {
      archive: NAMES.archiveName,
      window: { start: new Date(Date.now() - 3_600_000).toISOString(), end: new Date().toISOString() },
      reason: 'reprocess after fix',
    };
    const [a, b] = await Promise.all([
      startReplay(ctx, operator, req, meta('double-click-1')),
      startReplay(ctx, operator, req, meta('double-click-1')).catch((e: Error) => e),
    ]);
    const again = await startReplay(ctx, operator, req, meta('double-click-1'));
    expect(a.status).toBe('started');
    expect(again).toEqual(a);
    expect(b instanceof Error ? b.message : b).toEqual(
      b instanceof Error ? expect.stringContaining('still running') : a,
    );
    const replays = (await ctx.platform.listReplays(operator, {})).items.filter((r) => r.startedBy === operator.id);
    expect(replays).toHaveLength(1);
  });

  it('runs a compensation only after a second person approves it, and the ledger stays balanced', async () => {
    const saga = (await ctx.platform.listSagas(operator, { status: 'SUCCEEDED', limit: 1 })).items[0]!;
    const requested = await requestCompensation(
      ctx,
      operator,
      saga.id,
      { mode: 'compensate', reason: 'customer refund', ticket: 'INC-42', reverseCompleted: true },
      meta(),
    );
    expect(requested.status).toBe('pending_approval');
    expect((await ctx.platform.getSaga(operator, saga.id))!.status).toBe('SUCCEEDED');
    const id = requested.status === 'pending_approval' ? requested.approvalId : '';
    await expect(decideApproval(ctx, operator, id, { decision: 'approve' }, meta())).rejects.toThrow(
      /permission|second person/,
    );
    const decided = await decideApproval(ctx, approver, id, { decision: 'approve' }, meta());
    expect(decided.status).toBe('EXECUTED');
    await tickUntil(engine, async () => (await ctx.platform.getSaga(operator, saga.id))!.status === 'COMPENSATED');
    expect((await ctx.platform.getLedgerSummary(operator)).balanced).toBe(true);
    // The completion row (saga.compensate.completed) is written by the closed loop when it sees the
    // end state: asserted in server/ops/task-completion.test.ts.
    const trail = (await ctx.audit.list({ q: `saga:${saga.id}`, limit: 10 })).items
      .filter((e) => e.action !== 'saga.compensate.completed')
      .map((e) => `${e.action}/${e.outcome}/${e.actorId}`);
    expect(trail).toEqual([
      `saga.compensate/started/${operator.id}`,
      `approval.approve/approved/${approver.id}`,
      `saga.compensate/requested/${operator.id}`,
    ]);
  });

  it('asks for approval above the redrive size threshold instead of starting', async () => {
    const small = { ...ctx, policy: { ...ctx.policy, redriveApprovalThreshold: 0 } };
    const outcome = await startRedrive(
      small,
      operator,
      { queueId: 'processing', reason: 'big redrive', ticket: 'INC-5' },
      meta(),
    );
    expect(outcome.status).toBe('pending_approval');
    expect((await ctx.platform.listRedrives(operator, { queueId: 'processing' })).items).toHaveLength(0);
  });

  it('keeps the audit log append-only even for direct SQL, and its hash chain verifies', async () => {
    const db = consoleDb(dataDir);
    expect(() => db.prepare("UPDATE audit SET reason = 'edited'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    expect(await ctx.audit.count()).toBeGreaterThan(0);
    expect(await ctx.audit.verify()).toEqual({ ok: true, brokenAt: null });
  });
});
