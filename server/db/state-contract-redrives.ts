/**
 * The console-state contract, continued (server/db/state-contract.ts runs it): redrive records,
 * shared by the two instances as by two console tasks behind the load balancer. The runner of a
 * selected redrive is `a`; another task that reads, cancels or abandons it is `b`.
 */
import 'server-only';
import { describe, expect, it } from 'vitest';
import { summaryOf, type StoredRedrive, type StoredSelectedRun } from './redrive-store';
import type { StateHarness } from './state-harness';

const T0 = Date.parse('2026-11-26T03:00:00Z');
const ARN = 'arn:aws:sqs:eu-west-1:123456789012:ledgerline-dev-payments-dlq';

const moveTask = (id: string, queueId = 'payments', createdAtMs = T0): StoredRedrive => ({
  id,
  queueId,
  sourceArn: ARN,
  region: 'eu-west-1',
  createdAtMs,
  startedBy: 'u-op',
  startedAtMs: null,
  requestedAtMs: createdAtMs - 250,
  acceptedAtMs: createdAtMs - 40,
  depthBefore: 42,
  selected: null,
});

const selectedRun = (
  id: string,
  run: Partial<StoredSelectedRun> = {},
  queueId = 'payments',
  createdAtMs = T0,
): StoredRedrive => ({
  ...moveTask(id, queueId, createdAtMs),
  requestedAtMs: null,
  acceptedAtMs: null,
  depthBefore: null,
  selected: {
    status: 'RUNNING',
    moved: 0,
    total: 3,
    rate: null,
    selection: 'classes',
    classIds: ['timeout', 'schema-mismatch'],
    endedAtMs: null,
    failureReason: null,
    heartbeatAtMs: createdAtMs,
    holdSeconds: null,
    movedTransactions: [],
    ...run,
  },
});

/** `n` transaction ids, every 7th body naming none, one of them the empty string (not a null). */
const transactions = (n: number): (string | null)[] =>
  Array.from({ length: n }, (_, i) => (i === 3 ? '' : i % 7 === 5 ? null : `tx-${String(i).padStart(36, '0')}`));

const withRun = (r: StoredRedrive, run: Partial<StoredSelectedRun>): StoredRedrive => ({
  ...r,
  selected: { ...r.selected!, ...run },
});

export function runRedriveContract(name: string, harness: () => StateHarness): void {
  describe(`${name}: redrive records`, () => {
    it('gives another task every field of a record as created, and creates an id once', async () => {
      const { a, b } = harness();
      const task = moveTask('AQEBmove-handle-1');
      // A move task first seen in a listing (started outside the console): nobody we know started it.
      const listed: StoredRedrive = {
        ...moveTask('AQEBlisted-1'),
        startedBy: null,
        startedAtMs: T0 - 60_000,
        requestedAtMs: null,
        acceptedAtMs: null,
        depthBefore: null,
      };
      const classes = selectedRun('payments:selected:c1');
      const picked = selectedRun('payments:selected:p1', {
        selection: 'selected',
        classIds: null,
        rate: 2.5,
        holdSeconds: 120,
        total: 2,
        movedTransactions: ['tx-a', null],
      });
      for (const r of [task, listed, classes, picked]) await a.redrives.create(r);
      expect(await b.redrives.get(task.id)).toStrictEqual(task);
      expect(await b.redrives.get(listed.id)).toStrictEqual(listed);
      expect(await b.redrives.get(classes.id)).toStrictEqual(classes);
      expect(await b.redrives.get(picked.id)).toStrictEqual(picked);

      const again = selectedRun(picked.id, { movedTransactions: ['tx-other'], total: 9 }, 'orders', T0 + 5);
      await expect(b.redrives.create(again)).rejects.toThrow();
      await expect(a.redrives.create(task)).rejects.toThrow();
      expect(await a.redrives.get(picked.id)).toStrictEqual(picked);
      expect(await b.redrives.recent('orders', 5)).toEqual([]);
    });

    it('lists a queue’s records newest first (ties by id, descending), that queue’s only, up to the limit', async () => {
      const { a, b } = harness();
      const ids = ['r-0', 'r-1', 'r-2', 'r-3', 'r-4'];
      for (const [i, id] of ids.entries()) {
        const r = i % 2 ? selectedRun(id, {}, 'payments', T0 + i * 1_000) : moveTask(id, 'payments', T0 + i * 1_000);
        await (i % 2 ? b : a).redrives.create(r);
      }
      await a.redrives.create(moveTask('r-tie-b', 'payments', T0 + 2_000));
      await b.redrives.create(moveTask('r-tie-a', 'payments', T0 + 2_000));
      await a.redrives.create(moveTask('o-1', 'orders', T0 + 9_000));
      await b.redrives.create(moveTask('o-0', 'payments-dlq', T0 + 9_500));
      const progressed = await a.redrives.progress('r-3', {
        moved: 2,
        heartbeatAtMs: T0 + 3_500,
        movedTransactions: ['tx-1', null],
        changedFrom: 0,
      });

      const all = await b.redrives.recent('payments', 20);
      expect(all.map((r) => r.id)).toEqual(['r-4', 'r-3', 'r-tie-b', 'r-tie-a', 'r-2', 'r-1', 'r-0']);
      // As `get` gives it, less the moved ids (a listing reads none).
      expect(all[1]).toStrictEqual(summaryOf(progressed!));
      // One record's status read is the same summary, from either task.
      expect(await b.redrives.summary('r-3')).toStrictEqual(summaryOf(progressed!));
      expect(await a.redrives.summary('o-1')).toStrictEqual(summaryOf((await a.redrives.get('o-1'))!));
      expect((await a.redrives.recent('payments', 3)).map((r) => r.id)).toEqual(['r-4', 'r-3', 'r-tie-b']);
      expect((await a.redrives.recent('orders', 3)).map((r) => r.id)).toEqual(['o-1']);
      expect(await b.redrives.recent('nowhere', 3)).toEqual([]);
    });

    it('ties a move task to its start time once', async () => {
      const { a, b } = harness();
      const task = moveTask('AQEBmove-handle-2');
      await a.redrives.create(task);
      expect(await b.redrives.setStarted(task.id, T0 + 100)).toBe(true);
      expect(await a.redrives.setStarted(task.id, T0 + 200)).toBe(false);
      expect(await a.redrives.get(task.id)).toStrictEqual({ ...task, startedAtMs: T0 + 100 });
      expect(await b.redrives.setStarted('AQEBunknown', T0)).toBe(false);
      expect(await b.redrives.get('AQEBunknown')).toBeNull();
    });

    it('shows the runner’s progress to another task: count, heartbeat, hold and moved ids, nulls kept', async () => {
      const { a, b } = harness();
      const run = selectedRun('payments:selected:g1');
      await a.redrives.create(run);
      const first = await a.redrives.progress(run.id, {
        moved: 2,
        heartbeatAtMs: T0 + 1_000,
        holdSeconds: 30,
        movedTransactions: ['tx-1', null],
        changedFrom: 0,
      });
      const after1 = withRun(run, {
        moved: 2,
        heartbeatAtMs: T0 + 1_000,
        holdSeconds: 30,
        movedTransactions: ['tx-1', null],
      });
      expect(first).toStrictEqual(after1);
      expect(await b.redrives.get(run.id)).toStrictEqual(after1);

      // No holdSeconds: the stored one stays.
      const second = await a.redrives.progress(run.id, {
        moved: 3,
        heartbeatAtMs: T0 + 2_000,
        movedTransactions: ['tx-1', null, 'tx-3'],
        changedFrom: 2,
      });
      const after2 = withRun(after1, {
        moved: 3,
        heartbeatAtMs: T0 + 2_000,
        movedTransactions: ['tx-1', null, 'tx-3'],
      });
      expect(second).toStrictEqual(after2);
      expect(await b.redrives.get(run.id)).toStrictEqual(after2);
    });

    it('reads back 2,500 moved ids written in three steps', async () => {
      const { a, b } = harness();
      const run = selectedRun('payments:selected:big', { total: 2_500 });
      await a.redrives.create(run);
      const all = transactions(2_500);
      for (const [from, to] of [
        [0, 900],
        [900, 1_700],
        [1_700, 2_500],
      ] as const) {
        const landed = await a.redrives.progress(run.id, {
          moved: to,
          heartbeatAtMs: T0 + to,
          movedTransactions: all.slice(0, to),
          changedFrom: from,
        });
        expect(landed?.selected?.movedTransactions).toEqual(all.slice(0, to));
        expect((await b.redrives.get(run.id))?.selected).toMatchObject({
          moved: to,
          movedTransactions: all.slice(0, to),
        });
      }
      const read = await b.redrives.get(run.id);
      expect(read?.selected?.movedTransactions).toStrictEqual(all);
      // A listing reads no ids: the record's other fields only.
      const listed = (await b.redrives.recent('payments', 1))[0];
      expect(listed?.selected).toMatchObject({ moved: all.length });
      expect(listed?.selected && 'movedTransactions' in listed.selected).toBe(false);
    });

    it('lets another task cancel a running run once; the runner learns it from its next progress, and ends it', async () => {
      const { a, b } = harness();
      const run = selectedRun('payments:selected:cx');
      await a.redrives.create(run);
      const cancelling = await b.redrives.requestCancel(run.id);
      expect(cancelling).toStrictEqual(withRun(run, { status: 'CANCELLING' }));
      const seen = await a.redrives.progress(run.id, {
        moved: 1,
        heartbeatAtMs: T0 + 1_000,
        movedTransactions: ['tx-1'],
        changedFrom: 0,
      });
      expect(seen?.selected).toMatchObject({ status: 'CANCELLING', moved: 1, movedTransactions: ['tx-1'] });
      expect(await b.redrives.requestCancel(run.id)).toBeNull();

      expect(
        await a.redrives.finish(run.id, {
          status: 'CANCELLED',
          moved: 2,
          endedAtMs: T0 + 2_000,
          failureReason: null,
          movedTransactions: ['tx-1', null],
          changedFrom: 1,
        }),
      ).toBe(true);
      const ended = withRun(run, {
        status: 'CANCELLED',
        moved: 2,
        endedAtMs: T0 + 2_000,
        heartbeatAtMs: T0 + 1_000,
        movedTransactions: ['tx-1', null],
      });
      expect(await b.redrives.get(run.id)).toStrictEqual(ended);

      // Once ended, nothing moves it, and a refused write leaves no trace.
      const late = { moved: 3, movedTransactions: ['tx-1', null, 'tx-late'], changedFrom: 2 };
      expect(await a.redrives.progress(run.id, { ...late, heartbeatAtMs: T0 + 3_000 })).toBeNull();
      expect(
        await a.redrives.finish(run.id, { ...late, status: 'COMPLETED', endedAtMs: T0 + 3_000, failureReason: null }),
      ).toBe(false);
      expect(await b.redrives.requestCancel(run.id)).toBeNull();
      expect(await b.redrives.abandon(run.id, T0 + 9_000, T0 + 9_000, 'stopped')).toBe(false);
      expect(await a.redrives.get(run.id)).toStrictEqual(ended);
    });

    it('abandons a run whose heartbeat is old, once, and never while it is fresh', async () => {
      const { a, b } = harness();
      const run = selectedRun('payments:selected:ab');
      await a.redrives.create(run);
      const beat = await a.redrives.progress(run.id, {
        moved: 1,
        heartbeatAtMs: T0 + 10_000,
        movedTransactions: ['tx-1'],
        changedFrom: 0,
      });
      expect(await b.redrives.abandon(run.id, T0 + 9_999, T0 + 70_000, 'the console task running it stopped')).toBe(
        false,
      );
      expect(await b.redrives.get(run.id)).toStrictEqual(beat);

      expect(await b.redrives.abandon(run.id, T0 + 10_000, T0 + 70_000, 'the console task running it stopped')).toBe(
        true,
      );
      expect(await a.redrives.abandon(run.id, T0 + 99_000, T0 + 99_000, 'again')).toBe(false);
      const failed = withRun(beat!, {
        status: 'FAILED',
        endedAtMs: T0 + 70_000,
        failureReason: 'the console task running it stopped',
      });
      expect(await a.redrives.get(run.id)).toStrictEqual(failed);

      const late = { moved: 2, movedTransactions: ['tx-1', 'tx-2'], changedFrom: 1 };
      expect(await a.redrives.progress(run.id, { ...late, heartbeatAtMs: T0 + 80_000 })).toBeNull();
      expect(
        await a.redrives.finish(run.id, { ...late, status: 'COMPLETED', endedAtMs: T0 + 80_000, failureReason: null }),
      ).toBe(false);
      expect(await b.redrives.get(run.id)).toStrictEqual(failed);

      // A cancelling run is abandoned the same way; a move task (SQS runs it) never is.
      const other = selectedRun('payments:selected:ab2');
      await a.redrives.create(other);
      expect(await b.redrives.requestCancel(other.id)).not.toBeNull();
      const verdicts = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? b : a).redrives.abandon(other.id, T0, T0 + i, `stopped ${i}`)),
      );
      expect(verdicts.filter(Boolean)).toHaveLength(1);
      const winner = verdicts.indexOf(true);
      expect((await a.redrives.get(other.id))?.selected).toMatchObject({
        status: 'FAILED',
        endedAtMs: T0 + winner,
        failureReason: `stopped ${winner}`,
      });
      const task = moveTask('AQEBmove-handle-3');
      await a.redrives.create(task);
      expect(await b.redrives.abandon(task.id, T0 + 99_000, T0 + 99_000, 'stopped')).toBe(false);
      expect(await b.redrives.requestCancel(task.id)).toBeNull();
      expect(await a.redrives.get(task.id)).toStrictEqual(task);
    });

    it('knows nothing of an unknown id', async () => {
      const { a, b } = harness();
      expect(await a.redrives.get('payments:selected:none')).toBeNull();
      expect(await a.redrives.summary('payments:selected:none')).toBeNull();
      expect(await b.redrives.requestCancel('payments:selected:none')).toBeNull();
      expect(
        await a.redrives.progress('payments:selected:none', {
          moved: 1,
          heartbeatAtMs: T0,
          movedTransactions: ['tx-1'],
          changedFrom: 0,
        }),
      ).toBeNull();
      expect(
        await a.redrives.finish('payments:selected:none', {
          status: 'COMPLETED',
          moved: 0,
          endedAtMs: T0,
          failureReason: null,
          movedTransactions: [],
          changedFrom: 0,
        }),
      ).toBe(false);
      expect(await b.redrives.abandon('payments:selected:none', T0, T0, 'stopped')).toBe(false);
      expect(await b.redrives.get('payments:selected:none')).toBeNull();
    });
  });
}
