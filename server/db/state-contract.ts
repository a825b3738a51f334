/**
 * The console-state port's contract: one vitest suite both adapters pass (SQLite on a temp dir,
 * DynamoDB on dynalite). Call `runStateContract(name, open)` from an adapter's test file. Every
 * case gets fresh storage and TWO instances over it (`a`, `b`: two console processes, each with
 * its own connection or client and, for the audit log, its own writer).
 */
import 'server-only';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalStore, NewApproval } from '../approvals/store';
import { auditFilterSchema, type AuditFilter } from '../audit/audit.schema';
import type { AuditRecord } from '../audit/store';
import type { Caller } from '../auth/permissions.schema';
import { runKeyContract } from './state-contract-keys';
import { runRedriveContract } from './state-contract-redrives';
import type { OpenState, StateHarness } from './state-harness';
import type { ConsoleState } from './state-port';

export type { OpenState, StateHarness } from './state-harness';

const operator: Caller = { id: 'u-op', name: 'Olivia Operator', role: 'operator' };
const approver = (n: number): Caller => ({ id: `u-ap-${n}`, name: `Approver ${n}`, role: 'approver' });
const T0 = Date.parse('2026-11-26T03:00:00Z');
const HOUR = 3_600_000;

export const newApproval = (saga: string, ttlMinutes = 60): NewApproval => ({
  action: 'saga.compensate',
  target: `saga:${saga}`,
  input: { sagaId: saga, mode: 'compensate', reason: 'downstream outage' },
  preview: null,
  reason: 'downstream outage',
  ticket: 'INC-4243',
  requester: operator,
  ttlMinutes,
});

const names = ['Ann 100% Sure', 'Bob_Builder'];
const record = (i: number): AuditRecord => ({
  requestId: `req-${i}`,
  actor: { id: `u-${i % 2}`, name: names[i % 2]!, role: 'operator' },
  action: i % 3 === 0 ? 'replay.start' : 'saga.compensate',
  outcome: i % 3 === 0 ? 'started' : 'succeeded',
  target: `saga:S-${i}`,
  reason: `reason ${i}`,
  ticket: i % 5 === 0 ? `INC-${i}` : null,
  inputs: { i },
});

async function everyPage(s: ConsoleState, filter: AuditFilter) {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await s.audit.list(auditFilterSchema.parse({ ...filter, ...(cursor ? { cursor } : {}) }));
    out.push(...page.items.map((e) => e.requestId));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

async function decideOnce(approvals: ApprovalStore, id: string, n: number, at: number) {
  return approvals.decide(id, n % 2 ? 'APPROVED' : 'REJECTED', approver(n), `decision ${n}`, at);
}

export function runStateContract(name: string, open: OpenState): void {
  let h: StateHarness;
  beforeEach(async () => {
    h = await open();
  });
  afterEach(async () => {
    await h.close();
  });
  const state = () => h;

  describe(`${name}: the audit log`, () => {
    /** 30 entries 3 h apart (4 UTC days), written alternately by the two instances, oldest first. */
    async function seed(): Promise<string[]> {
      for (let i = 0; i < 30; i++) await (i % 2 ? h.b : h.a).audit.append(record(i), T0 + i * 3 * HOUR);
      return Array.from({ length: 30 }, (_, i) => `req-${29 - i}`);
    }

    it('lists every writer’s entries newest first, and pages through them without gaps or repeats', async () => {
      const newestFirst = await seed();
      const all = await h.a.audit.list(auditFilterSchema.parse({ limit: 200 }));
      expect(all.items.map((e) => e.requestId)).toEqual(newestFirst);
      expect(all.nextCursor).toBeNull();
      expect(all.items[0]).toMatchObject({ at: new Date(T0 + 29 * 3 * HOUR).toISOString(), actorName: 'Bob_Builder' });
      expect(await everyPage(h.b, { limit: 7 })).toEqual(newestFirst);
      expect(await h.a.audit.count()).toBe(30);
      expect(await h.b.audit.verify()).toMatchObject({ ok: true, brokenAt: null });
    });

    it('filters like the SQLite log: actor, action, outcome, text, request id and inclusive time bounds', async () => {
      const newestFirst = await seed();
      const ids = (f: AuditFilter) => everyPage(h.a, { limit: 4, ...f });
      expect(await ids({ actor: 'bob_' })).toEqual(newestFirst.filter((r) => Number(r.slice(4)) % 2 === 1));
      expect(await ids({ actor: 'u-0' })).toEqual(newestFirst.filter((r) => Number(r.slice(4)) % 2 === 0));
      expect(await ids({ actor: '100%' })).toEqual(await ids({ actor: 'u-0' }));
      expect(await ids({ action: 'replay.start' })).toEqual(newestFirst.filter((r) => Number(r.slice(4)) % 3 === 0));
      expect(await ids({ outcome: 'succeeded', q: 'inc-' })).toEqual(['req-25', 'req-20', 'req-10', 'req-5']);
      expect(await ids({ q: 's-2' })).toEqual([
        'req-29',
        'req-28',
        'req-27',
        'req-26',
        'req-25',
        'req-24',
        'req-23',
        'req-22',
        'req-21',
        'req-20',
        'req-2',
      ]);
      expect(await ids({ q: 'req-7' })).toEqual(['req-7']);
      const at = (i: number) => new Date(T0 + i * 3 * HOUR).toISOString();
      expect(await ids({ from: at(5), to: at(10) })).toEqual(['req-10', 'req-9', 'req-8', 'req-7', 'req-6', 'req-5']);
      expect(await ids({ actor: 'nobody' })).toEqual([]);
    });

    it('returns from append the entry it lists', async () => {
      const entry = await h.b.audit.append(record(1), T0);
      expect((await h.a.audit.list(auditFilterSchema.parse({}))).items).toEqual([entry]);
    });

    it('keeps 1,000 parallel appends from two instances, every one listed once, every chain verifying', async () => {
      await Promise.all(
        Array.from({ length: 1_000 }, (_, i) => (i % 2 ? h.b : h.a).audit.append(record(i), T0 + (i % 50) * HOUR)),
      );
      const listed = await everyPage(h.a, { limit: 200 });
      expect(listed).toHaveLength(1_000);
      expect(new Set(listed).size).toBe(1_000);
      expect(await h.b.audit.count()).toBe(1_000);
      expect(await h.a.audit.verify()).toMatchObject({ ok: true, brokenAt: null });
    }, 300_000); // dynalite on a shared 2-core machine: ~20 s

    it('fails verification once a stored entry was changed', async () => {
      for (let i = 0; i < 6; i++) await (i % 2 ? h.b : h.a).audit.append(record(i), T0 + i * HOUR);
      expect((await h.a.audit.verify()).ok).toBe(true);
      await state().tamperAuditEntry();
      const verdict = await h.a.audit.verify();
      expect(verdict.ok).toBe(false);
      expect(verdict.brokenAt).toEqual(expect.any(Number));
    });
  });

  describe(`${name}: approvals`, () => {
    it('decides a request exactly once when 50 approvers on two instances decide at once', async () => {
      const { id } = await h.a.approvals.create(newApproval('saga-race'), T0);
      const wins = await Promise.all(
        Array.from({ length: 50 }, (_, n) => decideOnce(n % 2 ? h.b.approvals : h.a.approvals, id, n, T0 + 1_000)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
      const winner = wins.indexOf(true);
      expect(await h.b.approvals.get(id, T0 + 2_000)).toMatchObject({
        status: winner % 2 ? 'APPROVED' : 'REJECTED',
        decidedBy: approver(winner).id,
        decisionComment: `decision ${winner}`,
      });
    });

    it('never lets the requester decide, nor anyone decide an expired request', async () => {
      const own = await h.a.approvals.create(newApproval('saga-own'), T0);
      expect(await h.b.approvals.decide(own.id, 'APPROVED', operator, null, T0 + 1_000)).toBe(false);
      expect((await h.a.approvals.get(own.id, T0 + 1_000))?.status).toBe('PENDING');
      const old = await h.a.approvals.create(newApproval('saga-old', 1), T0);
      expect(await h.b.approvals.decide(old.id, 'APPROVED', approver(1), null, T0 + 60_000)).toBe(false);
      expect((await h.a.approvals.get(old.id, T0 + 60_000))?.status).toBe('EXPIRED');
      expect(await h.a.approvals.get('apr-missing', T0)).toBeNull();
    });

    it('records the outcome only of an approved request, once', async () => {
      const { id } = await h.a.approvals.create(newApproval('saga-run'), T0);
      await h.b.approvals.finish(id, 'EXECUTED', { early: true }, T0 + 500);
      expect((await h.a.approvals.get(id, T0 + 500))?.status).toBe('PENDING');
      expect(await h.b.approvals.decide(id, 'APPROVED', approver(2), 'ok', T0 + 1_000)).toBe(true);
      await h.a.approvals.finish(id, 'EXECUTED', { id: 'rd-1' }, T0 + 2_000);
      await h.b.approvals.finish(id, 'FAILED', { error: 'late' }, T0 + 3_000);
      expect(await h.b.approvals.get(id, T0 + 3_000)).toMatchObject({ status: 'EXECUTED', result: '{"id":"rd-1"}' });
    });

    it('lists every waiting request soonest expiry first, then settled ones newest first, up to the limit', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push((await h.a.approvals.create(newApproval(`saga-${i}`), T0 + i * 20_000)).id);
      const late = (await h.b.approvals.create(newApproval('saga-long', 120), T0 - 2_000)).id;
      const expired = (await h.b.approvals.create(newApproval('saga-expired', 1), T0 - 1_000)).id;
      const rejected = ids.shift()!;
      expect(await h.b.approvals.decide(rejected, 'REJECTED', approver(3), 'no', T0 + 300_000)).toBe(true);
      const now = T0 + 400_000;
      const review = await h.b.approvals.listForReview({ decidedLimit: 50 }, now);
      expect(review.pending.map((a) => a.id)).toEqual([...ids, late]);
      expect(review.decided.map((a) => [a.id, a.status])).toEqual([
        [rejected, 'REJECTED'],
        [expired, 'EXPIRED'],
      ]);
      expect(review.moreDecided).toBe(false);
      const first = await h.a.approvals.listForReview({ decidedLimit: 1 }, now);
      expect([first.decided.map((a) => a.id), first.moreDecided]).toEqual([[rejected], true]);
      expect((await h.a.approvals.waiting(now)).map((a) => a.id)).toEqual([...ids, late]);
      const expiredOnly = await h.a.approvals.list({ status: 'EXPIRED', limit: 10 }, now);
      expect(expiredOnly.map((a) => a.id)).toEqual([expired]);
      expect((await h.b.approvals.list({ limit: 3 }, now)).map((a) => a.id)).toEqual(ids.slice(-3).reverse());
    });
  });

  runKeyContract(name, () => h);
  runRedriveContract(name, () => h);
}
