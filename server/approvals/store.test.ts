import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Caller } from '../auth/permissions.schema';
import { openConsoleDb, type ConsoleDb } from '../db/console-db';
import { SqliteApprovalStore, type NewApproval } from './store';

const operator: Caller = { id: 'u-op', name: 'Olivia Operator', role: 'operator' };
const approver: Caller = { id: 'u-ap', name: 'Ada Approver', role: 'approver' };
const T0 = Date.parse('2026-11-26T03:00:00Z');

let dir: string;
let db: ConsoleDb;
let store: SqliteApprovalStore;

const request = (saga: string, ttlMinutes = 60): NewApproval => ({
  action: 'saga.compensate',
  target: `saga:${saga}`,
  input: { sagaId: saga, mode: 'compensate', reason: 'downstream outage' },
  preview: null,
  reason: 'downstream outage',
  ticket: 'INC-4243',
  requester: operator,
  ttlMinutes,
});

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-approval-store-'));
  db = openConsoleDb(dir);
  store = new SqliteApprovalStore(db);
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the approvals an approver reviews', () => {
  it('lists every waiting request, however many newer ones there are, soonest expiry first', async () => {
    // 60 requests filed 20 s apart with the same TTL: the oldest expires first.
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push((await store.create(request(`saga-${i}`), T0 + i * 20_000)).id);
    const now = T0 + 60 * 20_000;
    const { pending, decided, moreDecided } = await store.listForReview({ decidedLimit: 50 }, now);
    expect(pending.map((a) => a.id)).toEqual(ids);
    expect(pending.every((a) => a.status === 'PENDING')).toBe(true);
    expect({ decided: decided.length, moreDecided }).toEqual({ decided: 0, moreDecided: false });
  });

  it('orders waiting requests by expiry, not by when they were filed', async () => {
    const late = (await store.create(request('saga-long', 120), T0)).id;
    const soon = (await store.create(request('saga-short', 10), T0 + 60_000)).id;
    expect((await store.listForReview({ decidedLimit: 50 }, T0 + 120_000)).pending.map((a) => a.id)).toEqual([
      soon,
      late,
    ]);
  });

  it('lists settled requests after the waiting ones, newest first, up to the limit', async () => {
    const expired = (await store.create(request('saga-expired', 1), T0)).id;
    const rejected = (await store.create(request('saga-rejected'), T0 + 1_000)).id;
    const failed = (await store.create(request('saga-failed'), T0 + 2_000)).id;
    const waiting = (await store.create(request('saga-waiting'), T0 + 3_000)).id;
    expect(await store.decide(rejected, 'REJECTED', approver, 'not this one', T0 + 4_000)).toBe(true);
    expect(await store.decide(failed, 'APPROVED', approver, null, T0 + 5_000)).toBe(true);
    await store.finish(failed, 'FAILED', { error: 'sagaId: saga-failed is RUNNING', code: 'Conflict' }, T0 + 5_000);
    const now = T0 + 120_000; // past the 1-minute TTL of the first

    const all = await store.listForReview({ decidedLimit: 50 }, now);
    expect(all.pending.map((a) => a.id)).toEqual([waiting]);
    expect(all.decided.map((a) => [a.id, a.status])).toEqual([
      [failed, 'FAILED'],
      [rejected, 'REJECTED'],
      [expired, 'EXPIRED'],
    ]);
    expect(all.decided[0]!.result).toBe('{"error":"sagaId: saga-failed is RUNNING","code":"Conflict"}');
    expect(all.moreDecided).toBe(false);

    const firstTwo = await store.listForReview({ decidedLimit: 2 }, now);
    expect(firstTwo.decided.map((a) => a.id)).toEqual([failed, rejected]);
    expect(firstTwo.moreDecided).toBe(true);
  });
});
