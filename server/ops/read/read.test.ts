import type * as NodeFs from 'node:fs';
import type * as NodeOs from 'node:os';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dlqOf } from '@/infra/embedded/db';
import { Engine } from '@/infra/embedded/engine';
import { removeDataDir } from '@/infra/embedded/test-support';
import { compensationsFor, type StepName } from '@/infra/saga/definition';
import type { Caller } from '@/server/auth/permissions.schema';
import { seededCaller } from '@/server/auth/testing';
import { withFreshness } from '@/server/platform/aws/read-cache';
import { dataAsOf } from '@/server/platform/freshness.schema';
import type { Alarm } from '@/server/platform/platform.schema';
import { PlatformError, type Platform } from '@/server/platform/port';
import type { OpsContext } from '../context';
import { getOpsContext } from '../server-context';
import { getAlarmDetail, listAlarms } from './alarms';
import { getIncident, INCIDENT_PAGE, incidentPeriodSeconds } from './incident';
import { clearOverviewCache, getOverview } from './overview';
import { listDeadLetters } from './queues';
import { getSaga, listSagas } from './sagas';

const dataDir = vi.hoisted(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- vi.hoisted runs before ESM imports
  const { mkdtempSync } = require('node:fs') as typeof NodeFs;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- same
  const { tmpdir } = require('node:os') as typeof NodeOs;
  const dir = mkdtempSync(`${tmpdir()}/ledgerline-read-`);
  process.env.LEDGERLINE_DATA_DIR = dir;
  process.env.LEDGERLINE_BACKEND = 'local';
  return dir;
});

let engine: Engine;
let viewer: Caller;
let ctx: OpsContext;
const count = (sql: string, ...params: string[]) => engine.db.prepare<string[], { n: number }>(sql).get(...params)!.n;

/** The context with platform reads answered as the AWS adapter's read cache marks a throttled read. */
const withStaleReads = (marks: Partial<Record<keyof Platform, (result: never) => unknown>>): OpsContext => {
  const platform = new Proxy(ctx.platform, {
    get(target, name) {
      const value = Reflect.get(target, name) as unknown;
      if (typeof value !== 'function') return value;
      const call = (...args: unknown[]) => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      const mark = marks[name as keyof Platform];
      return mark ? async (...args: unknown[]) => mark((await call(...args)) as never) : call;
    },
  });
  return { ...ctx, platform };
};
const earlier = (minutes: number) => Date.parse('2026-12-07T09:00:00.000Z') - minutes * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  // 30 simulated minutes of traffic with every fault (outages, poison, insufficient funds).
  engine = new Engine({ dataDir, seed: true, traffic: { rate: 0 }, retryTimeScale: 0.01, failureRetryDelayMs: 0 });
  await engine.start();
  await engine.drain(30_000);
  engine.flushMetrics();
  engine.evaluateAlarms();
  viewer = seededCaller('viewer');
  ctx = await getOpsContext();
}, 120_000);

afterAll(() => {
  engine.close();
  removeDataDir(dataDir);
});

describe('the overview', () => {
  it('shows each region’s firing alarms and DLQ depth as the platform holds them', async () => {
    clearOverviewCache();
    const overview = await getOverview(ctx, viewer, { range: '1h' });
    const firing = engine.db
      .prepare<[], { name: string }>("SELECT name FROM alarms WHERE state = 'ALARM'")
      .all()
      .map((r) => r.name)
      .sort();
    expect(overview.regions).toHaveLength(1);
    const region = overview.regions[0]!;
    expect(region.firingAlarms.map((a) => a.name).sort()).toEqual(firing);
    expect(region.alarmCounts.ALARM).toBe(firing.length);
    const processing = region.queues.find((q) => q.id === 'processing')!;
    expect(processing.dlq.visible).toBe(
      count('SELECT count(*) AS n FROM messages WHERE queue = ?', dlqOf('processing')),
    );
    expect(processing.dlq.visible).toBeGreaterThan(0);
  });

  it('counts saga outcomes of the range from the platform’s metrics', async () => {
    clearOverviewCache();
    const { sagaOutcomes, throughput } = await getOverview(ctx, viewer, { range: '1h' });
    // Every seeded saga ended within the last hour, so the range's outcome counts equal the table's.
    expect(sagaOutcomes.compensated).toBe(count("SELECT count(*) AS n FROM sagas WHERE status = 'COMPENSATED'"));
    expect(sagaOutcomes.failed).toBe(count("SELECT count(*) AS n FROM sagas WHERE status = 'FAILED'"));
    expect(sagaOutcomes.compensated).toBeGreaterThan(0);
    expect(sagaOutcomes.running).toBe(
      count("SELECT count(*) AS n FROM sagas WHERE status IN ('RUNNING', 'COMPENSATING')"),
    );
    expect(throughput.map((s) => s.id).sort()).toEqual(['events.in', 'processor.processed']);
  });

  it('shares one load between pollers of the same range within a second', async () => {
    clearOverviewCache();
    const now = Date.now();
    const [a, b] = await Promise.all([
      getOverview(ctx, viewer, { range: '15m' }, now),
      getOverview(ctx, viewer, { range: '15m' }, now + 500),
    ]);
    expect(b).toBe(a);
    const later = await getOverview(ctx, viewer, { range: '15m' }, now + 1500);
    expect(later).not.toBe(a);
  });

  it.each([
    {
      read: 'the non-firing alarms (kept only as counts)',
      ctxOf: () =>
        withStaleReads({
          listAlarms: (alarms: Alarm[]) => alarms.map((a) => (a.state === 'ALARM' ? a : withFreshness(a, earlier(3)))),
        }),
      asOf: earlier(3),
    },
    {
      read: 'the page of recent replays (marked on the page)',
      ctxOf: () => withStaleReads({ listReplays: (page: object) => withFreshness(page, earlier(4)) }),
      asOf: earlier(4),
    },
    {
      read: 'the page of running sagas (kept only as a count)',
      ctxOf: () => withStaleReads({ listSagas: (page: object) => withFreshness(page, earlier(5)) }),
      asOf: earlier(5),
    },
  ])('says "data as of" when $read came from the read cache', async ({ ctxOf, asOf }) => {
    clearOverviewCache();
    const overview = await getOverview(ctxOf(), viewer, { range: '1h' });
    expect(overview.freshness).toEqual({ stale: true, asOf: iso(asOf) });
    expect(dataAsOf(overview)).toBe(iso(asOf));
    clearOverviewCache();
    const fresh = await getOverview(ctx, viewer, { range: '1h' });
    expect(fresh.freshness).toBeUndefined();
    expect(dataAsOf(fresh)).toBeNull();
  });

  it('gives the oldest mark when several reads are stale', async () => {
    clearOverviewCache();
    const stale = withStaleReads({
      listRedrives: (page: object) => withFreshness(page, earlier(2)),
      listQueuePairs: (pairs: object[]) => withFreshness(pairs, earlier(7)),
    });
    const overview = await getOverview(stale, viewer, { range: '1h' });
    expect(overview.freshness?.asOf).toBe(iso(earlier(7)));
  });
});

describe('dead letters', () => {
  it('finds a poison message by its transaction id, with its error and receive count', async () => {
    const row = engine.db
      .prepare<[string], { transaction_id: string }>(
        'SELECT transaction_id FROM messages WHERE queue = ? AND transaction_id IS NOT NULL LIMIT 1',
      )
      .get(dlqOf('processing'))!;
    const page = await listDeadLetters(ctx, viewer, {
      queueId: 'processing',
      search: ` ${row.transaction_id} `,
      limit: 50,
    });
    expect(page.items.length).toBeGreaterThan(0);
    for (const m of page.items) {
      expect(m.transactionId).toBe(row.transaction_id);
      expect(m.receiveCount).toBe(3);
      expect(m.lastError).toBeTruthy();
    }
  });

  it('searches error text and pages without repeating a message', async () => {
    const first = await listDeadLetters(ctx, viewer, { queueId: 'processing', search: 'PoisonMessageError', limit: 2 });
    expect(first.items.every((m) => m.lastError?.includes('PoisonMessageError'))).toBe(true);
    if (first.nextCursor) {
      const second = await listDeadLetters(ctx, viewer, {
        queueId: 'processing',
        search: 'PoisonMessageError',
        limit: 2,
        cursor: first.nextCursor,
      });
      expect(second.items.map((m) => m.id)).not.toContain(first.items[0]!.id);
    }
  });
});

describe('sagas', () => {
  it('filters by status and range and pages newest first without overlap', async () => {
    const first = await listSagas(ctx, viewer, { status: 'COMPENSATED', range: '1h', limit: 5 });
    expect(first.items.length).toBeGreaterThan(0);
    expect(first.items.every((s) => s.status === 'COMPENSATED')).toBe(true);
    const starts = first.items.map((s) => s.startedAt);
    expect([...starts].sort().reverse()).toEqual(starts);
    if (first.nextCursor) {
      const second = await listSagas(ctx, viewer, {
        status: 'COMPENSATED',
        range: '1h',
        limit: 5,
        cursor: first.nextCursor,
      });
      expect(second.items.some((s) => first.items.some((f) => f.id === s.id))).toBe(false);
      expect(second.items[0]!.startedAt <= starts.at(-1)!).toBe(true);
    }
  });

  it('finds the saga of a transaction id', async () => {
    const any = (await listSagas(ctx, viewer, { status: 'SUCCEEDED', limit: 1 })).items[0]!;
    const found = await listSagas(ctx, viewer, { transactionId: any.transactionId, range: '7d', limit: 10 });
    expect(found.items.map((s) => s.id)).toEqual([any.id]);
  });

  it('gives a compensated saga’s compensations in reverse order of its completed steps', async () => {
    const compensated = (await listSagas(ctx, viewer, { status: 'COMPENSATED', limit: 50 })).items.find(
      (s) => s.failedStep === 'SettlePayment' || s.failedStep === 'Notify',
    );
    expect(compensated).toBeDefined();
    const saga = await getSaga(ctx, viewer, compensated!.id);
    const ran = saga.steps.filter((s) => s.kind === 'compensation' && s.state === 'SUCCEEDED').map((s) => s.name);
    expect(ran).toEqual(compensationsFor(saga.failedStep as StepName));
  });

  it('answers NotFound for an unknown saga', async () => {
    await expect(getSaga(ctx, viewer, 'no-such-saga')).rejects.toMatchObject({ code: 'NotFound', field: 'id' });
  });
});

describe('alarms and incidents', () => {
  it('lists firing alarms first and gives a firing alarm’s metric around its state change', async () => {
    const alarms = await listAlarms(ctx, viewer, {});
    const firstOk = alarms.findIndex((a) => a.state !== 'ALARM');
    expect(alarms.slice(firstOk).every((a) => a.state !== 'ALARM')).toBe(true);
    const dlqAlarm = alarms.find((a) => a.name === 'ledgerline-local-processing-dlq-depth')!;
    const detail = await getAlarmDetail(ctx, viewer, { name: dlqAlarm.name, aroundMinutes: 60 });
    expect(detail.series.map((s) => s.id)).toEqual(['dlq.processing.visible']);
    expect(Date.parse(detail.window.from)).toBe(Date.parse(dlqAlarm.since) - 3_600_000);
    const times = detail.history.map((h) => h.timestamp);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('says "data as of" when the alarm and its history came from the read cache', async () => {
    const stale = withStaleReads({ getAlarm: (found: object) => withFreshness(found, earlier(10)) });
    const name = 'ledgerline-local-processing-dlq-depth';
    const detail = await getAlarmDetail(stale, viewer, { name, aroundMinutes: 60 });
    expect(detail.freshness).toEqual({ stale: true, asOf: iso(earlier(10)) });
    expect(dataAsOf(detail)).toBe(iso(earlier(10)));
    expect(dataAsOf(await getAlarmDetail(ctx, viewer, { name, aroundMinutes: 60 }))).toBeNull();
  });

  it('answers NotFound for an unknown alarm', async () => {
    await expect(getAlarmDetail(ctx, viewer, { name: 'nope', aroundMinutes: 60 })).rejects.toBeInstanceOf(
      PlatformError,
    );
  });

  it('correlates the DLQ alarm with its queue, dead letters and failed or compensated sagas on one timeline', async () => {
    const incident = await getIncident(ctx, viewer, 'ledgerline-local-processing-dlq-depth');
    expect(incident.queue?.id).toBe('processing');
    const inWindow = (t: string) => t >= incident.window.from && t < incident.window.to;
    // The DLQ's first page, read as the incident reads it: its count in the window travels, and
    // each of its transactions is one of the incident's, with its dead letters counted.
    const page = await ctx.platform.listDeadLetters(viewer, { queueId: 'processing', limit: INCIDENT_PAGE });
    const dead = page.items.filter((m) => inWindow(m.deadLetteredAt));
    expect(dead.length).toBeGreaterThan(0);
    expect(incident.deadLetterCount).toBe(dead.length);
    const txs = new Map(incident.transactions.map((t) => [t.transactionId, t]));
    for (const m of dead) if (m.transactionId) expect(txs.get(m.transactionId)?.deadLetters).toBeGreaterThan(0);
    const withSaga = incident.transactions.filter((t) => t.sagaId !== null);
    expect(withSaga.length).toBeGreaterThan(0);
    for (const t of withSaga) expect(['FAILED', 'COMPENSATED', 'COMPENSATING']).toContain(t.sagaStatus);
    // Neither the messages nor the sagas themselves travel: the view shows their transactions.
    expect(Object.keys(incident)).not.toContain('deadLetters');
    expect(Object.keys(incident)).not.toContain('sagas');
    // Newest first (issue 19: the on-call reads the latest first).
    const times = incident.timeline.map((e) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(incident.timeline.length).toBeGreaterThan(0);
  });

  it.each([
    {
      read: 'a page of the sagas behind its counts',
      marks: { listSagas: (page: object) => withFreshness(page, earlier(6)) },
      asOf: earlier(6),
    },
    {
      read: 'the page of dead letters',
      marks: { listDeadLetters: (page: object) => withFreshness(page, earlier(8)) },
      asOf: earlier(8),
    },
    {
      read: 'the alarm and its history',
      marks: { getAlarm: (found: object) => withFreshness(found, earlier(9)) },
      asOf: earlier(9),
    },
  ])('says "data as of" when $read came from the read cache', async ({ marks, asOf }) => {
    const incident = await getIncident(withStaleReads(marks), viewer, 'ledgerline-local-processing-dlq-depth');
    expect(incident.freshness).toEqual({ stale: true, asOf: iso(asOf) });
    expect(dataAsOf(incident)).toBe(iso(asOf));
    const fresh = await getIncident(ctx, viewer, 'ledgerline-local-processing-dlq-depth');
    expect(dataAsOf(fresh)).toBeNull();
  });

  it.each([
    { spell: 'an outage firing for 30 h', state: 'ALARM', hours: 30, period: 120 },
    { spell: 'an alarm quiet for 3 days (no firing in its history)', state: 'OK', hours: 72, period: 180 },
  ])('gives the incident of $spell, its charts in periods that keep a series within 1,440 points', async (c) => {
    // One clock for the spell and the incident: a millisecond between two reads of Date.now()
    // made a 72 h window one ms longer than 3 × 1,440 minutes (a 240 s period, not 180).
    const now = Date.now();
    const since = new Date(now - c.hours * 3_600_000).toISOString();
    const long = withStaleReads({
      getAlarm: (found: { alarm: Alarm; history: unknown[] }) => ({
        alarm: { ...found.alarm, state: c.state, since, episodeStart: c.state === 'ALARM' ? since : null },
        history: [],
      }),
    });
    const incident = await getIncident(long, viewer, 'ledgerline-local-processing-dlq-depth', now);
    expect(incident.window.from).toBe(since);
    expect(incidentPeriodSeconds(incident.window)).toBe(c.period);
    expect(incident.series.length).toBeGreaterThan(0);
    for (const s of incident.series) expect(s.points.length).toBeLessThanOrEqual(1440);
    // A one-minute series of the same window is what the port refuses.
    await expect(
      ctx.platform.getMetricSeries(viewer, {
        metrics: ['dlq.processing.visible'],
        ...incident.window,
        periodSeconds: 60,
      }),
    ).rejects.toMatchObject({ code: 'Invalid', field: 'periodSeconds' });
  });

  it("counts the incident's sagas as the sagas list does over the same window, grouped by step and error class", async () => {
    const incident = await getIncident(ctx, viewer, 'ledgerline-local-processing-dlq-depth');
    const { from, to } = incident.window;
    for (const status of ['FAILED', 'COMPENSATING', 'COMPENSATED'] as const) {
      let listed = 0;
      let cursor: string | undefined;
      do {
        const page = await listSagas(ctx, viewer, { status, range: 'custom', from, to, cursor, limit: 200 });
        listed += page.items.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(incident.counts[status], status).toBe(listed);
    }
    expect(incident.counts.total).toBeGreaterThan(0);
    expect(incident.groups.reduce((n, g) => n + g.count, 0)).toBe(incident.counts.total);
    const latest = incident.groups.map((g) => g.lastAt);
    expect([...latest].sort().reverse()).toEqual(latest);
  });
});
