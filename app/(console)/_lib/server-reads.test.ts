import type { QueryKey } from '@tanstack/react-query';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET as listApprovalsRoute } from '@/app/api/approvals/route';
import { GET as getAlarmDetail } from '@/app/api/platform/alarms/[name]/route';
import { GET as listAlarms } from '@/app/api/platform/alarms/route';
import { GET as getIncident } from '@/app/api/platform/incident/[alarm]/route';
import { GET as getOverview } from '@/app/api/platform/overview/route';
import { GET as listDeadLetters } from '@/app/api/platform/queues/[id]/dead-letters/route';
import { GET as listFailureClasses } from '@/app/api/platform/queues/[id]/failure-classes/route';
import { GET as getQueueSeries } from '@/app/api/platform/queues/[id]/series/route';
import { GET as listQueues } from '@/app/api/platform/queues/route';
import { GET as getSagaRoute } from '@/app/api/platform/sagas/[id]/route';
import { GET as listSagasRoute } from '@/app/api/platform/sagas/route';
import { GET as getInterventions } from '@/app/api/sagas/[id]/interventions/route';
import { alarmQueryOptions } from '@/components/alarms/data/alarm-query';
import { alarmsQueryOptions } from '@/components/alarms/data/alarms-query';
import { pendingApprovalsQueryOptions } from '@/components/approvals/data/pending-approvals-query';
import { incidentQueryOptions } from '@/components/incident/data/incident-query';
import { overviewQueryOptions } from '@/components/overview/data/overview-query';
import { deadLettersQueryOptions } from '@/components/queues/data/dead-letters-query';
import { failureClassesQueryOptions } from '@/components/queues/data/failure-classes-query';
import { queueSeriesQueryOptions } from '@/components/queues/data/queue-series-query';
import { queuesQueryOptions } from '@/components/queues/data/queues-query';
import { interventionsQueryOptions } from '@/components/sagas/data/interventions-query';
import { sagaQueryOptions } from '@/components/sagas/data/saga-query';
import { sagasQueryOptions } from '@/components/sagas/data/sagas-query';
import type { Engine } from '@/infra/embedded/engine';
import { putTransactions, startTestEngine } from '@/infra/embedded/test-support';
import { alarmName } from '@/infra/platform/description';
import { routeContext, seededCaller, testRequest } from '@/server/auth/testing';
import { getOpsContext } from '@/server/ops/server-context';
import type { SagaDetail } from '@/server/platform/platform.schema';
import type { ServerRead } from './server-data';
import { serverReads } from './server-reads';

const dataDir = await vi.hoisted(async () =>
  (await import('@/server/platform/local/test-env')).localConsoleEnv('server-reads'),
);

type Handler = (request: Request, context: ReturnType<typeof routeContext>) => Promise<Response>;
const viewer = seededCaller('viewer');
const live = { live: true };
const DLQ_ALARM = alarmName('local', 'processing-dlq-depth');
let engine: Engine;

beforeAll(async () => {
  engine = await startTestEngine('server-reads', { dataDir, log: () => undefined });
  // Dead letters to list and classify: poison transactions (no toAccount), rejected on every receive.
  await putTransactions(engine, 'server-reads', 5, true);
  // And sagas to open: transactions that go through.
  await putTransactions(engine, 'server-reads-ok', 3, false);
  for (let i = 0; i < 4; i++) await engine.processOnce();
  // One instant for the route and the server read (series and windows end at "now").
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
}, 120_000);

afterAll(() => {
  vi.useRealTimers();
  engine.close();
});

/**
 * Each server read against the browser query it fills and the API route that query calls: the
 * same key (else the page's data would sit unused in the cache and the browser fetch again), and
 * the same data as the route's JSON answer to the query's request.
 */
const cases: {
  name: string;
  server: ServerRead;
  clientKey: QueryKey;
  handler: Handler;
  url: string;
  params?: Record<string, string>;
  /** The route's body as the query keeps it. */
  body?: (json: unknown) => unknown;
}[] = [
  {
    name: 'overview (1 h)',
    server: serverReads.overview({ range: '1h' }),
    clientKey: overviewQueryOptions({ range: '1h' }, live).queryKey,
    handler: getOverview,
    url: '/api/platform/overview?range=1h',
  },
  {
    name: 'firing alarms (the shell)',
    server: serverReads.alarms('ALARM'),
    clientKey: alarmsQueryOptions({ state: 'ALARM' }, live).queryKey,
    handler: listAlarms,
    url: '/api/platform/alarms?state=ALARM',
  },
  {
    name: 'every alarm',
    server: serverReads.alarms(undefined),
    clientKey: alarmsQueryOptions({}, live).queryKey,
    handler: listAlarms,
    url: '/api/platform/alarms',
  },
  {
    name: 'alarm detail',
    server: serverReads.alarm(DLQ_ALARM),
    clientKey: alarmQueryOptions(DLQ_ALARM, live).queryKey,
    handler: getAlarmDetail,
    url: `/api/platform/alarms/${DLQ_ALARM}`,
    params: { name: DLQ_ALARM },
  },
  {
    name: 'incident',
    server: serverReads.incident(DLQ_ALARM),
    clientKey: incidentQueryOptions(DLQ_ALARM, live).queryKey,
    handler: getIncident,
    url: `/api/platform/incident/${DLQ_ALARM}`,
    params: { alarm: DLQ_ALARM },
  },
  {
    name: 'queue pairs',
    server: serverReads.queues(),
    clientKey: queuesQueryOptions(live).queryKey,
    handler: listQueues,
    url: '/api/platform/queues',
  },
  {
    name: 'queue charts (24 h)',
    server: serverReads.queueSeries('processing', '24h'),
    clientKey: queueSeriesQueryOptions('processing', '24h', live).queryKey,
    handler: getQueueSeries,
    url: '/api/platform/queues/processing/series?range=24h',
    params: { id: 'processing' },
  },
  {
    name: 'failure classes',
    server: serverReads.failureClasses('processing'),
    clientKey: failureClassesQueryOptions('processing', live).queryKey,
    handler: listFailureClasses,
    url: '/api/platform/queues/processing/failure-classes',
    params: { id: 'processing' },
  },
  {
    name: "dead letters' first page",
    server: serverReads.deadLetters('processing', {}),
    clientKey: deadLettersQueryOptions('processing', {}, live).queryKey,
    handler: listDeadLetters,
    url: '/api/platform/queues/processing/dead-letters?limit=20',
    params: { id: 'processing' },
  },
  {
    name: 'dead letters searched',
    server: serverReads.deadLetters('processing', { search: 'tx-server-reads-3' }),
    clientKey: deadLettersQueryOptions('processing', { search: 'tx-server-reads-3' }, live).queryKey,
    handler: listDeadLetters,
    url: '/api/platform/queues/processing/dead-letters?search=tx-server-reads-3&limit=20',
    params: { id: 'processing' },
  },
  {
    name: 'sagas of the last 24 h (the sagas page without filters)',
    server: serverReads.sagas({ range: '24h', sort: 'startedAt:desc' }),
    clientKey: sagasQueryOptions({ range: '24h', sort: 'startedAt:desc' }, live).queryKey,
    handler: listSagasRoute,
    url: '/api/platform/sagas?range=24h&sort=startedAt%3Adesc&limit=50',
  },
  {
    name: 'running sagas of any time, oldest first (one of the in-flight lists)',
    server: serverReads.sagas({ status: 'RUNNING', sort: 'startedAt:asc' }),
    clientKey: sagasQueryOptions({ status: 'RUNNING', sort: 'startedAt:asc' }, live).queryKey,
    handler: listSagasRoute,
    url: '/api/platform/sagas?status=RUNNING&sort=startedAt%3Aasc&limit=50',
  },
  {
    name: 'pending approvals (the navigation badge)',
    server: serverReads.pendingApprovals(),
    clientKey: pendingApprovalsQueryOptions(live).queryKey,
    handler: listApprovalsRoute,
    url: '/api/approvals?status=PENDING&limit=200',
    body: (json) => (json as { items: unknown[] }).items,
  },
];

describe('the pages’ server reads (real route handlers, local adapter, engine)', () => {
  it.each(cases)('$name: the browser query’s key, the API route’s data', async (c) => {
    expect(c.server.queryKey).toEqual(c.clientKey);
    const response = await c.handler(await testRequest(c.url, { caller: viewer }), routeContext(c.params));
    const json: unknown = await response.json();
    expect(response.status, JSON.stringify(json)).toBe(200);
    const fromRoute = c.body ? c.body(json) : json;
    const fromServer: unknown = JSON.parse(JSON.stringify(await c.server.read(await getOpsContext(), viewer)));
    expect(fromServer).toEqual(fromRoute);
  });

  it('the data is not empty where the page shows something (dead letters, their classes, alarms, queues, sagas)', async () => {
    const ops = await getOpsContext();
    const read = async (r: ServerRead) => JSON.parse(JSON.stringify(await r.read(ops, viewer))) as unknown;
    expect(((await read(serverReads.deadLetters('processing', {}))) as { items: unknown[] }).items).toHaveLength(5);
    expect(((await read(serverReads.failureClasses('processing'))) as unknown[]).length).toBeGreaterThan(0);
    expect(((await read(serverReads.alarms(undefined))) as unknown[]).length).toBeGreaterThan(0);
    expect(((await read(serverReads.queues())) as unknown[]).length).toBeGreaterThan(0);
    const sagas = (await read(serverReads.sagas({ range: '24h', sort: 'startedAt:desc' }))) as { items: unknown[] };
    expect(sagas.items.length).toBeGreaterThan(0);
  });

  it('a saga, then its interventions keyed by its status', async () => {
    const json = async (handler: Handler, url: string, params?: Record<string, string>) => {
      const response = await handler(await testRequest(url, { caller: viewer }), routeContext(params));
      expect(response.status).toBe(200);
      return (await response.json()) as unknown;
    };
    const page = (await json(listSagasRoute, '/api/platform/sagas?range=7d&limit=1')) as { items: { id: string }[] };
    const id = page.items[0]?.id;
    expect(id).toBeDefined();
    const ops = await getOpsContext();
    const saga = serverReads.saga(id!);
    expect(saga.queryKey).toEqual(sagaQueryOptions(id!, live).queryKey);
    const fromServer = JSON.parse(JSON.stringify(await saga.read(ops, viewer))) as SagaDetail;
    expect(fromServer).toEqual(await json(getSagaRoute, `/api/platform/sagas/${id}`, { id: id! }));
    const [interventions] = saga.then?.(fromServer) ?? [];
    expect(interventions?.queryKey).toEqual(interventionsQueryOptions(id!, fromServer.status).queryKey);
    expect(JSON.parse(JSON.stringify(await interventions!.read(ops, viewer)))).toEqual(
      await json(getInterventions, `/api/sagas/${id}/interventions`, { id: id! }),
    );
  });

  it('the queues page reads each listed pair’s charts once the list is in', async () => {
    const list = serverReads.queues({ chartsOver: '1h' });
    const pairs = JSON.parse(JSON.stringify(await list.read(await getOpsContext(), viewer))) as { id: string }[];
    const charts = list.then?.(pairs) ?? [];
    expect(charts.map((r) => r.queryKey)).toEqual(pairs.map((p) => queueSeriesQueryOptions(p.id, '1h', live).queryKey));
    expect(serverReads.queues().then).toBeUndefined();
  });
});
