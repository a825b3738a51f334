/**
 * The Platform port's contract: one vitest suite every adapter must pass (local now, aws later).
 * Call `runPlatformContract(name, makeHarness)` from an adapter's *.contract.test.ts.
 * The harness supplies the platform, a way to let the backend make progress, and whether
 * mutating tests may run (never against production).
 */
import 'server-only';
import { afterAll, beforeAll, describe, expect, it as vitestIt } from 'vitest';
import type { Caller } from '../../auth/permissions.schema';
import {
  alarmHistoryItemSchema,
  alarmSchema,
  archiveSchema,
  compensationPreviewSchema,
  deadLetterMessageSchema,
  ledgerSummarySchema,
  metricSeriesSchema,
  queuePairSchema,
  redriveTaskSchema,
  regionSchema,
  replayPreviewSchema,
  replaySchema,
  sagaDetailSchema,
  sagaSummarySchema,
  type LedgerSummary,
} from '../platform.schema';
import { PlatformError, type Platform } from '../port';

/** Parses a ledger summary and checks its internal consistency. */
function checkLedgerSummary(l: LedgerSummary): void {
  ledgerSummarySchema.parse(l);
  if (l.heldAmount < 0 || l.openHolds < 0) throw new Error('negative holds in the ledger summary');
}

export interface ContractHarness {
  platform: Platform;
  /** Let the backend make progress until `done()` holds or the timeout passes (local: run the engine). */
  settle(done: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  /** Whether mutating tests may run (false against shared or production stacks). */
  mutations: boolean;
  /** A saga that has SUCCEEDED and may be compensated by the test (mutations only). */
  compensableSagaId?: () => Promise<string | null>;
  cleanup?(): Promise<void>;
}

const as = (role: Caller['role']): Caller => ({ id: `contract-${role}`, name: `Contract ${role}`, role });
const viewer = as('viewer');
const operator = as('operator');
const approver = as('approver');

async function expectPlatformError(p: Promise<unknown>, code: PlatformError['code']): Promise<PlatformError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PlatformError);
    expect((e as PlatformError).code).toBe(code);
    return e as PlatformError;
  }
  throw new Error(`expected PlatformError ${code}, the call succeeded`);
}

export function runPlatformContract(
  name: string,
  makeHarness: () => Promise<ContractHarness>,
  /** Cases the adapter is known to fail (title -> the reported defect): they run as expected failures. */
  knownFailures: Record<string, string> = {},
): void {
  const it = (title: string, fn: () => Promise<void>) =>
    knownFailures[title]
      ? vitestIt.fails(`${title} [known failure: ${knownFailures[title]}]`, fn)
      : vitestIt(title, fn);
  describe(`Platform contract: ${name}`, () => {
    let h: ContractHarness;
    let p: Platform;
    beforeAll(async () => {
      h = await makeHarness();
      p = h.platform;
    });
    afterAll(async () => {
      await h?.cleanup?.();
    });

    it('answers ping', async () => {
      const r = await p.ping();
      expect(r.ok).toBe(true);
      expect(r.detail.length).toBeGreaterThan(0);
    });

    it('lists regions with exactly one primary', async () => {
      const regions = await p.listRegions(viewer);
      for (const r of regions) regionSchema.parse(r);
      expect(regions.filter((r) => r.primary)).toHaveLength(1);
    });

    it('lists alarms as DTOs and filters them by state', async () => {
      const all = await p.listAlarms(viewer, {});
      expect(all.length).toBeGreaterThan(0);
      for (const a of all) alarmSchema.parse(a);
      for (const state of ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const) {
        const some = await p.listAlarms(viewer, { state });
        expect(some.every((a) => a.state === state)).toBe(true);
        expect(some.length).toBe(all.filter((a) => a.state === state).length);
      }
    });

    it('returns one alarm with its state-change history, and null for an unknown alarm', async () => {
      const [first] = await p.listAlarms(viewer, {});
      const got = await p.getAlarm(viewer, first!.name);
      expect(got?.alarm.name).toBe(first!.name);
      for (const hi of got!.history) alarmHistoryItemSchema.parse(hi);
      expect(await p.getAlarm(viewer, 'no-such-alarm')).toBeNull();
    });

    it('lists queue pairs with depths and a max receive count of 3', async () => {
      const pairs = await p.listQueuePairs(viewer);
      expect(pairs.length).toBeGreaterThan(0);
      for (const q of pairs) {
        queuePairSchema.parse(q);
        expect(q.maxReceiveCount).toBe(3);
      }
    });

    it('pages dead letters with cursors that neither repeat nor skip messages', async () => {
      const [pair] = await p.listQueuePairs(viewer);
      const seen = new Set<string>();
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await p.listDeadLetters(viewer, { queueId: pair!.id, limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        for (const m of page.items) {
          deadLetterMessageSchema.parse(m);
          expect(seen.has(m.id)).toBe(false);
          seen.add(m.id);
        }
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor && pages < 50);
      const whole = await p.listDeadLetters(viewer, { queueId: pair!.id, limit: 200 });
      if (!whole.nextCursor) expect(seen).toEqual(new Set(whole.items.map((m) => m.id)));
    });

    it('rejects an unknown queue and a forged cursor with named errors', async () => {
      await expectPlatformError(p.listDeadLetters(viewer, { queueId: 'no-such-queue', limit: 10 }), 'NotFound');
      const [pair] = await p.listQueuePairs(viewer);
      const e = await expectPlatformError(
        p.listDeadLetters(viewer, { queueId: pair!.id, limit: 10, cursor: 'not-a-cursor' }),
        'Invalid',
      );
      expect(e.field).toBe('cursor');
    });

    it('pages sagas newest first and filters them by status', async () => {
      const first = await p.listSagas(viewer, { limit: 5 });
      expect(first.items.length).toBeGreaterThan(0);
      for (const s of first.items) sagaSummarySchema.parse(s);
      const times = first.items.map((s) => Date.parse(s.startedAt));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      if (first.nextCursor) {
        const second = await p.listSagas(viewer, { limit: 5, cursor: first.nextCursor });
        const ids = new Set(first.items.map((s) => s.id));
        expect(second.items.some((s) => ids.has(s.id))).toBe(false);
        expect(Date.parse(second.items[0]!.startedAt)).toBeLessThanOrEqual(times[times.length - 1]!);
      }
      const succeeded = await p.listSagas(viewer, { status: 'SUCCEEDED', limit: 20 });
      expect(succeeded.items.every((s) => s.status === 'SUCCEEDED')).toBe(true);
      const asc = await p.listSagas(viewer, { sort: 'startedAt:asc', limit: 5 });
      const ascTimes = asc.items.map((s) => Date.parse(s.startedAt));
      expect([...ascTimes].sort((a, b) => a - b)).toEqual(ascTimes);
    });

    it('windows sagas by start time as [from, to): `to` itself is outside, in both sort orders', async () => {
      const { items } = await p.listSagas(viewer, { limit: 1 });
      const saga = items[0]!;
      const started = Date.parse(saga.startedAt);
      const ids = async (from: number, to: number, sort: 'startedAt:desc' | 'startedAt:asc') =>
        (
          await p.listSagas(viewer, {
            from: new Date(from).toISOString(),
            to: new Date(to).toISOString(),
            sort,
            limit: 50,
          })
        ).items.map((s) => s.id);
      for (const sort of ['startedAt:desc', 'startedAt:asc'] as const) {
        expect(await ids(started, started + 1, sort)).toContain(saga.id);
        expect(await ids(started - 1000, started, sort)).not.toContain(saga.id);
      }
      // The same window through the transaction-id lookup.
      const transactionId = saga.transactionId;
      if (!transactionId) return;
      const byId = async (from: number, to: number) =>
        (
          await p.listSagas(viewer, {
            transactionId,
            from: new Date(from).toISOString(),
            to: new Date(to).toISOString(),
          })
        ).items.map((s) => s.id);
      expect(await byId(started, started + 1)).toContain(saga.id);
      expect(await byId(started - 1000, started)).not.toContain(saga.id);
    });

    it('returns a saga timeline with every step, and null for an unknown saga', async () => {
      const { items } = await p.listSagas(viewer, { limit: 1 });
      const detail = await p.getSaga(viewer, items[0]!.id);
      sagaDetailSchema.parse(detail);
      expect(detail!.steps.filter((s) => s.kind === 'step').map((s) => s.name)).toEqual([
        'ValidatePayment',
        'ReserveFunds',
        'PostLedger',
        'SettlePayment',
        'Notify',
      ]);
      expect(await p.getSaga(viewer, 'no-such-saga')).toBeNull();
    });

    it('returns metric series for known ids and refuses unknown ids', async () => {
      const to = new Date();
      const from = new Date(to.getTime() - 60 * 60_000);
      const series = await p.getMetricSeries(viewer, {
        metrics: ['events.in', 'dlq.processing.visible'],
        from: from.toISOString(),
        to: to.toISOString(),
        periodSeconds: 60,
      });
      expect(series.map((s) => s.id)).toEqual(['events.in', 'dlq.processing.visible']);
      for (const s of series) metricSeriesSchema.parse(s);
      await expectPlatformError(
        p.getMetricSeries(viewer, { metrics: ['no.such.metric'], from: from.toISOString(), to: to.toISOString() }),
        'Invalid',
      );
    });

    it('reports a balanced ledger', async () => {
      const l = await p.getLedgerSummary(viewer);
      checkLedgerSummary(l);
      expect(l.balanced).toBe(l.totalBalance === l.expectedTotal);
      expect(l.balanced).toBe(true);
    });

    it('lists archives and replays', async () => {
      const archives = await p.listArchives(viewer);
      expect(archives.length).toBeGreaterThan(0);
      for (const a of archives) archiveSchema.parse(a);
      const replays = await p.listReplays(viewer, { limit: 10 });
      for (const r of replays.items) replaySchema.parse(r);
    });

    it('forbids writes to viewers and redrives, replays and compensations to approvers', async () => {
      const [pair] = await p.listQueuePairs(viewer);
      const [archive] = await p.listArchives(viewer);
      const end = Date.now() - archive!.ingestionLagSeconds * 1000 - 60_000;
      const window = {
        start: new Date(end - 3_600_000).toISOString(),
        end: new Date(end).toISOString(),
      };
      for (const who of [viewer, approver]) {
        await expectPlatformError(p.startRedrive(who, { queueId: pair!.id }), 'Forbidden');
        await expectPlatformError(p.startReplay(who, { archive: archive!.name, window }), 'Forbidden');
        await expectPlatformError(p.previewReplay(who, { archive: archive!.name, window }), 'Forbidden');
        await expectPlatformError(
          p.compensate(who, { sagaId: 'x', mode: 'compensate', reason: 'contract test' }),
          'Forbidden',
        );
        await expectPlatformError(p.cancelRedrive(who, 'x'), 'Forbidden');
        await expectPlatformError(p.cancelReplay(who, 'x'), 'Forbidden');
      }
    });

    it('previews a replay with a count and a sample from the window', async () => {
      const [archive] = await p.listArchives(viewer);
      const end = Date.now() - archive!.ingestionLagSeconds * 1000;
      const window = {
        start: new Date(end - 2 * 3_600_000).toISOString(),
        end: new Date(end).toISOString(),
      };
      const preview = await p.previewReplay(operator, { archive: archive!.name, window });
      replayPreviewSchema.parse(preview);
      expect(preview.sample.length).toBeLessThanOrEqual(Math.min(50, preview.count));
      for (const e of preview.sample) {
        const t = Date.parse(e.time);
        expect(t >= Date.parse(window.start) && t < Date.parse(window.end)).toBe(true);
      }
      await expectPlatformError(p.previewReplay(operator, { archive: 'no-such-archive', window }), 'NotFound');
    });

    it('redrives selected dead letters once, refusing a second task on the same DLQ', async () => {
      if (!h.mutations) return;
      const [pair] = await p.listQueuePairs(viewer);
      const dead = await p.listDeadLetters(viewer, { queueId: pair!.id, limit: 2 });
      expect(dead.items.length).toBeGreaterThan(0);
      const task = await p.startRedrive(operator, { queueId: pair!.id, messageIds: dead.items.map((m) => m.id) });
      redriveTaskSchema.parse(task);
      expect(task.status).toBe('RUNNING');
      expect(task.selection).toBe('selected');
      expect(task.total).toBe(dead.items.length);
      await expectPlatformError(p.startRedrive(operator, { queueId: pair!.id }), 'Conflict');
      await h.settle(async () => (await p.getRedrive(viewer, task.id))?.status === 'COMPLETED');
      const done = await p.getRedrive(viewer, task.id);
      expect(done?.moved).toBe(dead.items.length);
      expect((await p.listRedrives(viewer, { limit: 10, queueId: pair!.id })).items.some((t) => t.id === task.id)).toBe(
        true,
      );
      await expectPlatformError(p.cancelRedrive(operator, task.id), 'Conflict');
      await expectPlatformError(p.cancelRedrive(operator, 'no-such-task'), 'NotFound');
    });

    it('starts, names and completes a replay, and refuses a duplicate name', async () => {
      if (!h.mutations) return;
      const [archive] = await p.listArchives(viewer);
      const end = Date.now() - archive!.ingestionLagSeconds * 1000;
      const window = {
        start: new Date(end - 3 * 60_000).toISOString(),
        end: new Date(end).toISOString(),
      };
      const name = `contract-${Date.now()}`;
      const r = await p.startReplay(operator, { archive: archive!.name, window, name });
      replaySchema.parse(r);
      // The requested name, or it in the platform's namespace (AWS: `ledgerline-<stage>-<name>`).
      expect(r.name.endsWith(name)).toBe(true);
      expect(['STARTING', 'RUNNING']).toContain(r.state);
      await expectPlatformError(p.startReplay(operator, { archive: archive!.name, window, name }), 'Conflict');
      await h.settle(async () => (await p.getReplay(viewer, r.name))?.state === 'COMPLETED');
      const done = await p.getReplay(viewer, r.name);
      expect(done?.eventsReplayed).toBe(done?.eventsTotal);
      await expectPlatformError(p.cancelReplay(operator, r.name), 'Conflict');
    });

    it('cancels a running replay', async () => {
      if (!h.mutations) return;
      const [archive] = await p.listArchives(viewer);
      const end = Date.now() - archive!.ingestionLagSeconds * 1000;
      const window = {
        start: new Date(end - 40 * 60_000).toISOString(),
        end: new Date(end).toISOString(),
      };
      const r = await p.startReplay(operator, { archive: archive!.name, window });
      const c = await p.cancelReplay(operator, r.name);
      expect(c.state).toBe('CANCELLING');
      await h.settle(async () => (await p.getReplay(viewer, r.name))?.state === 'CANCELLED');
      expect((await p.getReplay(viewer, r.name))?.state).toBe('CANCELLED');
    });

    it('previews and runs a compensation of a succeeded saga, then refuses to compensate it again', async () => {
      if (!h.mutations || !h.compensableSagaId) return;
      const sagaId = await h.compensableSagaId();
      expect(sagaId).not.toBeNull();
      const preview = await p.previewCompensation(operator, { sagaId: sagaId!, mode: 'compensate' });
      compensationPreviewSchema.parse(preview);
      expect(preview.actions.map((a) => a.compensation)).toEqual(['VoidSettlement', 'ReverseLedger', 'ReleaseFunds']);
      const before = await p.getLedgerSummary(viewer);
      const started = await p.compensate(operator, {
        sagaId: sagaId!,
        mode: 'compensate',
        reason: 'contract test: customer refund',
      });
      expect(started.status).toBe('COMPENSATING');
      await h.settle(async () => (await p.getSaga(viewer, sagaId!))?.status === 'COMPENSATED');
      const done = await p.getSaga(viewer, sagaId!);
      expect(done?.status).toBe('COMPENSATED');
      expect(done?.steps.filter((s) => s.kind === 'compensation').every((s) => s.state === 'SUCCEEDED')).toBe(true);
      const after = await p.getLedgerSummary(viewer);
      expect(after.totalBalance).toBe(before.totalBalance);
      await expectPlatformError(
        p.compensate(operator, { sagaId: sagaId!, mode: 'compensate', reason: 'again' }),
        'Conflict',
      );
      await expectPlatformError(
        p.compensate(operator, { sagaId: 'no-such-saga', mode: 'compensate', reason: 'missing' }),
        'NotFound',
      );
    });

    it('lists a saga an operator compensated under the status the compensation gives it', async () => {
      if (!h.mutations || !h.compensableSagaId) return;
      const sagaId = await h.compensableSagaId();
      expect(sagaId).not.toBeNull();
      const saga = await p.getSaga(viewer, sagaId!);
      expect(saga?.status).toBe('SUCCEEDED');
      // The window of the saga's own start (1 ms wide: `to` may be exclusive): no pages of newer sagas.
      const started = Date.parse(saga!.startedAt);
      const around = { from: new Date(started).toISOString(), to: new Date(started + 1).toISOString(), limit: 50 };
      const listedUnder = async (status: 'COMPENSATING' | 'COMPENSATED') =>
        (await p.listSagas(viewer, { ...around, status })).items.filter((s) => s.id === sagaId);
      await p.compensate(operator, { sagaId: sagaId!, mode: 'compensate', reason: 'contract test: refund listing' });
      // Still compensating, or already done by the time of the second list: under one of the two.
      const early = [...(await listedUnder('COMPENSATING')), ...(await listedUnder('COMPENSATED'))];
      expect(early.length).toBeGreaterThanOrEqual(1);
      for (const s of early) expect(['COMPENSATING', 'COMPENSATED']).toContain(sagaSummarySchema.parse(s).status);
      await h.settle(async () => (await p.getSaga(viewer, sagaId!))?.status === 'COMPENSATED');
      expect((await listedUnder('COMPENSATED')).map((s) => s.status)).toEqual(['COMPENSATED']);
      expect(await listedUnder('COMPENSATING')).toEqual([]);
      const ascending = await p.listSagas(viewer, { ...around, status: 'COMPENSATED', sort: 'startedAt:asc' });
      expect(ascending.items.filter((s) => s.id === sagaId).map((s) => s.status)).toEqual(['COMPENSATED']);
      const unfiltered = (await p.listSagas(viewer, around)).items.filter((s) => s.id === sagaId);
      expect(unfiltered.map((s) => s.status)).toEqual(['COMPENSATED']);
    });
  });
}
