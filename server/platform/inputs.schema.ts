/**
 * Inputs of the Platform port's calls, as zod schemas. Pure: client code (forms) may import it.
 * The console's route handlers parse requests with these before calling server/ops.
 */
import { z } from 'zod';
import { MAX_REDRIVE_RATE, MAX_SELECTED_MESSAGES } from '@/infra/platform/limits';
import {
  alarmStateSchema,
  eventPatternFilterSchema,
  isoTime,
  pageLimit,
  sagaStatusSchema,
  timeWindowSchema,
} from './platform.schema';

export const listAlarmsInput = z.object({
  region: z.string().optional(),
  state: alarmStateSchema.optional(),
});
export type ListAlarmsInput = z.infer<typeof listAlarmsInput>;

export const listDeadLettersInput = z.object({
  queueId: z.string().min(1),
  search: z.string().max(200).optional(), // transaction id or error text
  cursor: z.string().optional(),
  limit: pageLimit,
});
export type ListDeadLettersInput = z.infer<typeof listDeadLettersInput>;

export const listSagasInput = z.object({
  status: sagaStatusSchema.optional(),
  // The start-time window is [from, to): a saga that started exactly at `to` is outside it.
  from: isoTime.optional(),
  to: isoTime.optional(),
  transactionId: z.string().max(100).optional(),
  sort: z.enum(['startedAt:desc', 'startedAt:asc']).default('startedAt:desc'),
  cursor: z.string().optional(),
  limit: pageLimit,
});
export type ListSagasInput = z.input<typeof listSagasInput>;

export const listPageInput = z.object({ cursor: z.string().optional(), limit: pageLimit });
export type ListPageInput = z.input<typeof listPageInput>;

export const metricQueryInput = z.object({
  /** Metric ids from the platform description (e.g. "events.in", "queue.processing.visible"). */
  metrics: z.array(z.string().min(1)).min(1).max(20),
  from: isoTime,
  to: isoTime,
  periodSeconds: z.number().int().min(60).max(86_400).default(60),
});
export type MetricQueryInput = z.input<typeof metricQueryInput>;

export const startRedriveInput = z.object({
  queueId: z.string().min(1),
  rate: z.number().int().min(1).max(MAX_REDRIVE_RATE).optional(),
  messageIds: z.array(z.string().min(1)).min(1).max(MAX_SELECTED_MESSAGES).optional(),
});
export type StartRedriveInput = z.infer<typeof startRedriveInput>;

const windowOrdered = timeWindowSchema.refine((w) => Date.parse(w.start) < Date.parse(w.end), {
  message: 'window.start must be before window.end',
  path: ['start'],
});

export const previewReplayInput = z.object({
  archive: z.string().min(1),
  window: windowOrdered,
  pattern: eventPatternFilterSchema.optional(),
});
export type PreviewReplayInput = z.infer<typeof previewReplayInput>;

export const startReplayInput = previewReplayInput.extend({
  /** Replay name; generated when absent. EventBridge: [.\-_A-Za-z0-9]+, ≤ 64. */
  name: z
    .string()
    .regex(/^[.\-_A-Za-z0-9]{1,64}$/)
    .optional(),
});
export type StartReplayInput = z.infer<typeof startReplayInput>;

export const compensateInput = z.object({
  sagaId: z.string().min(1),
  mode: z.enum(['compensate', 'resume']).default('compensate'),
  reason: z.string().trim().min(3).max(500),
});
export type CompensateInput = z.infer<typeof compensateInput>;
