import 'server-only';
import { alarmKeys } from '@/components/alarms/data/keys';
import { approvalKeys, PENDING_LIMIT } from '@/components/approvals/data/keys';
import { incidentKeys } from '@/components/incident/data/keys';
import { overviewKeys } from '@/components/overview/data/keys';
import { DEAD_LETTER_PAGE, queueKeys } from '@/components/queues/data/keys';
import { SAGA_PAGE, sagaKeys } from '@/components/sagas/data/keys';
import { approvalListQuery } from '@/server/approvals/approval.schema';
import { listApprovals } from '@/server/ops/approvals';
import { getAlarmDetail, listAlarms } from '@/server/ops/read/alarms';
import { getIncident } from '@/server/ops/read/incident';
import { getOverview } from '@/server/ops/read/overview';
import { getQueueSeries, listDeadLetters, listQueues } from '@/server/ops/read/queues';
import {
  alarmDetailInput,
  alarmsRouteInput,
  deadLettersRouteInput,
  queueSeriesInput,
  sagasRouteInput,
  type RangeInput,
  type SagasRouteInput,
} from '@/server/ops/read/read.schema';
import { sagaInterventions } from '@/server/ops/read/saga-interventions';
import { getSaga, listSagas } from '@/server/ops/read/sagas';
import { listFailureClasses } from '@/server/ops/read/triage';
import type { AlarmState, QueuePair, SagaDetail } from '@/server/platform/platform.schema';
import type { ServerRead } from './server-data';

/**
 * The pages' first reads on the server (for ServerData), one per browser query: each has that
 * query's key (components/<area>/data/keys.ts) and does what the query's API route does, with the
 * route's permission and its input schema applied to what the browser query sends.
 */
export const serverReads = {
  overview: (range: RangeInput): ServerRead => ({
    queryKey: overviewKeys.range(range),
    permission: 'platform.read',
    read: (ops, caller) => getOverview(ops, caller, range),
  }),
  alarms: (state?: AlarmState): ServerRead => ({
    queryKey: alarmKeys.list({ state }),
    permission: 'platform.read',
    read: (ops, caller) => listAlarms(ops, caller, alarmsRouteInput.parse({ state })),
  }),
  alarm: (name: string): ServerRead => ({
    queryKey: alarmKeys.detail(name),
    permission: 'platform.read',
    read: (ops, caller) => getAlarmDetail(ops, caller, { name, ...alarmDetailInput.parse({}) }),
  }),
  incident: (alarm: string): ServerRead => ({
    queryKey: incidentKeys.alarm(alarm),
    permission: 'platform.read',
    read: (ops, caller) => getIncident(ops, caller, alarm),
  }),
  /** The queue pairs; with `chartsOver`, then each pair's depth and age charts over that range. */
  queues: ({ chartsOver }: { chartsOver?: '1h' | '24h' } = {}): ServerRead => ({
    queryKey: queueKeys.list(),
    permission: 'platform.read',
    read: (ops, caller) => listQueues(ops, caller),
    then: chartsOver
      ? (pairs) => (pairs as QueuePair[]).map((p) => serverReads.queueSeries(p.id, chartsOver))
      : undefined,
  }),
  queueSeries: (id: string, range: '1h' | '24h'): ServerRead => ({
    queryKey: queueKeys.series(id, range),
    permission: 'platform.read',
    read: (ops, caller) => getQueueSeries(ops, caller, { id, ...queueSeriesInput.parse({ range }) }),
  }),
  failureClasses: (id: string): ServerRead => ({
    queryKey: queueKeys.failureClasses(id),
    permission: 'platform.read',
    read: (ops, caller) => listFailureClasses(ops, caller, id),
  }),
  deadLetters: (id: string, filters: { search?: string; cursor?: string }): ServerRead => ({
    queryKey: queueKeys.deadLetters(id, filters),
    permission: 'platform.read',
    read: (ops, caller) =>
      listDeadLetters(ops, caller, {
        ...deadLettersRouteInput.parse({ ...filters, limit: DEAD_LETTER_PAGE }),
        queueId: id,
      }),
  }),
  /** One page of one saga list (the sagas page shows one list, or two in flight). */
  sagas: (filters: SagasRouteInput): ServerRead => ({
    queryKey: sagaKeys.list(filters),
    permission: 'platform.read',
    read: (ops, caller) => listSagas(ops, caller, sagasRouteInput.parse({ ...filters, limit: SAGA_PAGE })),
  }),
  /** One saga; then who asked for and who approved its compensations (keyed by its status). */
  saga: (id: string): ServerRead => ({
    queryKey: sagaKeys.detail(id),
    permission: 'platform.read',
    read: (ops, caller) => getSaga(ops, caller, id),
    then: (saga) => [serverReads.interventions(id, (saga as SagaDetail).status)],
  }),
  interventions: (id: string, status: SagaDetail['status']): ServerRead => ({
    queryKey: sagaKeys.interventions(id, status),
    permission: 'audit.read',
    read: (ops, caller) => sagaInterventions(ops, caller, id),
  }),
  /** The navigation's badge: the pending requests (the route answers `{ items }`, the query keeps the items). */
  pendingApprovals: (): ServerRead => ({
    queryKey: approvalKeys.pending(),
    permission: 'audit.read',
    read: (ops) => listApprovals(ops, approvalListQuery.parse({ status: 'PENDING', limit: PENDING_LIMIT })),
  }),
};
