/**
 * Inputs and result shapes of the console's read side (server/ops/read and /api/platform/**).
 * Pure zod and pure functions: client components import it for URL state and response types.
 */
import { z } from 'zod';
import type { Freshness } from '../../platform/freshness.schema';
import { queueIdSchema } from '../../platform/inputs.schema';
import {
  alarmStateSchema,
  isoTime,
  pageLimit,
  type Alarm,
  type AlarmHistoryItem,
  type MetricSeries,
  type QueuePair,
  type RedriveTask,
  type Region,
  type Replay,
} from '../../platform/platform.schema';
import { rangeKeys, type ResolvedRange } from './range.schema';

// ---------------------------------------------------------------- time ranges
export { presetRanges, rangeKeys, resolveRange, type RangeKey, type ResolvedRange } from './range.schema';
export const rangeKeySchema = z.enum(rangeKeys);

/** A range as it travels in URLs and query strings: a preset, or custom with from/to. */
export const rangeInput = z
  .object({
    range: rangeKeySchema.default('1h'),
    from: isoTime.optional(),
    to: isoTime.optional(),
  })
  .refine((r) => r.range !== 'custom' || (r.from !== undefined && r.to !== undefined), {
    message: 'a custom range needs both from and to',
    path: ['from'],
  })
  .refine((r) => r.range !== 'custom' || Date.parse(r.from!) < Date.parse(r.to!), {
    message: 'from must be before to',
    path: ['from'],
  });
export type RangeInput = z.input<typeof rangeInput>;

// ---------------------------------------------------------------- route inputs
export const overviewInput = rangeInput;

export const alarmDetailInput = z.object({
  /** Minutes of metric shown before and after the last state change. */
  aroundMinutes: z.coerce.number().int().min(5).max(1440).default(60),
});

export const queueSeriesInput = z.object({ range: z.enum(['1h', '24h']).default('1h') });

export const metricsRouteInput = z
  .object({
    metrics: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(20)]),
    periodSeconds: z.coerce.number().int().min(60).max(86_400).optional(),
  })
  .and(rangeInput);

export const sagasRouteInput = z.object({
  status: z.enum(['RUNNING', 'SUCCEEDED', 'COMPENSATING', 'COMPENSATED', 'FAILED']).optional(),
  range: rangeKeySchema.optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  transactionId: z.string().trim().max(100).optional(),
  sort: z.enum(['startedAt:desc', 'startedAt:asc']).default('startedAt:desc'),
  cursor: z.string().optional(),
  limit: pageLimit,
});
export type SagasRouteInput = z.input<typeof sagasRouteInput>;

export const deadLettersRouteInput = z.object({
  search: z.string().trim().max(200).optional(),
  cursor: z.string().optional(),
  limit: pageLimit,
});

export const pageRouteInput = z.object({ cursor: z.string().optional(), limit: pageLimit });

export const alarmsRouteInput = z.object({
  region: z.string().optional(),
  state: alarmStateSchema.optional(),
});

// ---------------------------------------------------------------- results
export interface SagaOutcomes {
  succeeded: number;
  compensated: number;
  failed: number;
  /** Sagas in flight now (RUNNING or COMPENSATING), counted up to `runningCap`. */
  running: number;
  runningCapped: boolean;
}

export interface RegionOverview {
  region: Region;
  firingAlarms: Alarm[];
  alarmCounts: Record<'OK' | 'ALARM' | 'INSUFFICIENT_DATA', number>;
  queues: QueuePair[];
}

export interface Overview {
  generatedAt: string;
  range: ResolvedRange;
  regions: RegionOverview[];
  sagaOutcomes: SagaOutcomes;
  throughput: MetricSeries[];
  activeReplays: Replay[];
  activeRedrives: RedriveTask[];
  /**
   * Present when any read the overview was built from came from the adapter's read cache (a
   * throttled read): the oldest such time, also for figures kept only as counts.
   */
  freshness?: Freshness;
}

export interface AlarmDetail {
  alarm: Alarm;
  history: AlarmHistoryItem[];
  window: { from: string; to: string };
  series: MetricSeries[];
  /** Present when the alarm or its metric came from the adapter's read cache: the oldest such time. */
  freshness?: Freshness;
}

export interface IncidentEvent {
  at: string;
  kind: 'alarm' | 'dead-letter' | 'saga-compensated' | 'saga-failed' | 'saga-compensating';
  title: string;
  detail: string | null;
  transactionId: string | null;
  href: string;
}

export interface Incident {
  alarm: Alarm;
  window: { from: string; to: string };
  queue: QueuePair | null;
  series: MetricSeries[];
  /**
   * How many of the DLQ's first page of messages were dead-lettered in the window (the messages
   * themselves are on the queue's page: the incident view shows their transactions and count).
   */
  deadLetterCount: number;
  /** The window's sagas' and dead letters' transactions, newest first. */
  transactions: {
    transactionId: string;
    sagaId: string | null;
    sagaStatus: string | null;
    deadLetters: number;
    firstSeen: string;
  }[];
  timeline: IncidentEvent[];
  /** True when a list was cut at its page size (the incident holds more). */
  truncated: boolean;
  /** Present when any read the incident is built from came from the adapter's read cache: the oldest such time. */
  freshness?: Freshness;
}

export const redrivesRouteInput = pageRouteInput.extend({ queueId: queueIdSchema.optional() });

// ---------------------------------------------------------------- page URL state
export type SearchParams = Record<string, string | string[] | undefined>;

export const firstParam = (sp: SearchParams, key: string): string | undefined => {
  const v = sp[key];
  return Array.isArray(v) ? v[0] : v;
};

/** The range of a page URL; an invalid or incomplete one falls back to the last hour. */
export function rangeFromSearchParams(sp: SearchParams): RangeInput {
  const parsed = rangeInput.safeParse({
    range: firstParam(sp, 'range'),
    from: firstParam(sp, 'from'),
    to: firstParam(sp, 'to'),
  });
  return parsed.success ? parsed.data : { range: '1h' };
}
