import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '@/infra/embedded/engine';
import { dataDirOf, removeDataDir, startTestEngine } from '@/infra/embedded/test-support';
import type { Caller } from '@/server/auth/permissions.schema';
import { createLocalPlatform } from '@/server/platform/local/adapter';
import type { Platform } from '@/server/platform/port';
import { requestCompensation } from './compensate';
import { createOpsContext, type OpsContext } from './context';

const operator: Caller = { id: 'u-operator', name: 'Omar Operator', role: 'operator' };

let dataDir: string;
let engine: Engine;
let local: Platform;
let ctx: OpsContext;

beforeAll(async () => {
  // A seeded engine: history, sagas of every outcome, dead letters.
  engine = await startTestEngine('compensate', { seed: true, log: () => undefined });
  dataDir = dataDirOf(engine);
  local = createLocalPlatform({ dataDir });
  ctx = createOpsContext(local, dataDir, 'local');
}, 120_000);

afterAll(() => {
  engine.close();
  removeDataDir(dataDir);
});

describe('compensating without an approval (policy off)', () => {
  it('answers success with reconciliation null and a warning when the ledger read after the compensation fails, audits it once, and a retry does not compensate again', async () => {
    let compensations = 0;
    // The real platform, except that the ledger read after the side effect fails (a throttled Scan in AWS).
    const platform = new Proxy(local, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (key === 'getLedgerSummary')
          return () =>
            Promise.reject(new Error('ProvisionedThroughputExceededException: the ledger scan was throttled'));
        if (key === 'compensate') compensations++;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const direct: OpsContext = { ...ctx, platform, policy: { ...ctx.policy, compensationApproval: false } };
    const sagaId = (await local.listSagas(operator, { status: 'SUCCEEDED', limit: 1 })).items[0]!.id;
    const req = { mode: 'compensate' as const, reason: 'customer refund', ticket: 'INC-201', reverseCompleted: true };
    const meta = { requestId: 'req-direct-1', idempotencyKey: 'direct-compensation-1' };

    const outcome = await requestCompensation(direct, operator, sagaId, req, meta);
    const retry = await requestCompensation(direct, operator, sagaId, req, { ...meta, requestId: 'req-direct-2' });

    expect(outcome.status).toBe('started');
    const result = outcome.status === 'started' ? outcome.result : null;
    expect(result?.reconciliation).toBeNull();
    expect(result?.warning).toMatch(/the ledger summary could not be read afterwards \(.*throttled\)/);
    expect(result?.saga.id).toBe(sagaId);
    expect(retry).toEqual(outcome);
    expect(compensations).toBe(1);
    const trail = (await ctx.audit.list({ q: `saga:${sagaId}`, limit: 10 })).items.map(
      (e) => `${e.action}/${e.outcome}/${e.actorId}/${e.idempotencyKey}`,
    );
    expect(trail).toEqual([`saga.compensate/started/${operator.id}/direct-compensation-1`]);
  });
});
