import 'server-only';
/**
 * The local fault API's writes on the embedded platform's SQLite file (server/ops/admin.ts is
 * the verbs): traffic knobs in `settings`, raw events in `inbox`, a DLQ purge; rows the engine
 * process picks up.
 */
import { z } from 'zod';
import { env } from '@/server/env';
import { dlqOf } from '../../../infra/embedded/db';
import {
  defaultTrafficKnobs,
  outageTargets,
  trafficKnobsSchema,
  type TrafficKnobs,
  type TrafficKnobsPatch,
} from '../../../infra/embedded/traffic.schema';
import { createLocalPlatform } from './adapter';

function db() {
  return createLocalPlatform({ dataDir: env.LEDGERLINE_DATA_DIR, region: env.AWS_REGION }).db;
}

export function readKnobs(): TrafficKnobs {
  const row = db().prepare<[], { value: string }>("SELECT value FROM settings WHERE key = 'traffic'").get();
  if (!row) return { ...defaultTrafficKnobs, rate: env.LEDGERLINE_TRAFFIC_RATE };
  const parsed = trafficKnobsSchema.safeParse({ ...defaultTrafficKnobs, ...(JSON.parse(row.value) as object) });
  return parsed.success ? parsed.data : { ...defaultTrafficKnobs };
}

/** Applies a patch atomically (read-modify-write in one IMMEDIATE transaction). */
export function patchKnobs(patch: TrafficKnobsPatch): TrafficKnobs {
  const d = db();
  return d
    .transaction(() => {
      const next = trafficKnobsSchema.parse({ ...readKnobs(), ...patch });
      // updated_at doubles as the version the engine watches: make it strictly increase.
      const prev =
        d.prepare<[], { updated_at: number }>("SELECT updated_at FROM settings WHERE key = 'traffic'").get()
          ?.updated_at ?? 0;
      d.prepare(
        "INSERT INTO settings (key, value, updated_at) VALUES ('traffic', ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
      ).run(JSON.stringify(next), Math.max(Date.now(), prev + 1));
      return next;
    })
    .immediate();
}

/** Raw events (objects or JSON text) handed to the bus as they are. */
export type RawEvents = (string | Record<string, unknown>)[];

export function queueEvents(events: RawEvents): { queued: number } {
  const d = db();
  const insert = d.prepare('INSERT INTO inbox (body, created_at) VALUES (?, ?)');
  d.transaction(() => {
    for (const e of events) insert.run(typeof e === 'string' ? e : JSON.stringify(e), Date.now());
  }).immediate();
  return { queued: events.length };
}

/**
 * PurgeQueue on a queue's DLQ (local only): drops every dead letter, so a spec can start from a
 * DLQ that holds only the messages it put there. Counts stay exact (same transaction).
 */
export function purgeDlq(queue: string): { purged: number } {
  const d = db();
  const dlq = dlqOf(queue);
  return d
    .transaction(() => {
      const { changes } = d.prepare('DELETE FROM messages WHERE queue = ?').run(dlq);
      if (changes > 0)
        d.prepare(
          'INSERT INTO queue_counts (queue, total) VALUES (?, ?) ON CONFLICT(queue) DO UPDATE SET total = total + excluded.total',
        ).run(dlq, -changes);
      return { purged: changes };
    })
    .immediate();
}

const ratio = z.object({ ratio: z.number().min(0).max(1) }).strict();
const faults: Record<string, (body: unknown) => TrafficKnobsPatch> = {
  outage: (b) => ({
    outageStep: z
      .object({ step: z.enum(outageTargets).nullable() })
      .strict()
      .parse(b).step,
  }),
  poison: (b) => ({ poisonRatio: ratio.parse(b).ratio }),
  'insufficient-funds': (b) => ({ insufficientFundsRatio: ratio.parse(b).ratio }),
  duplicates: (b) => ({ duplicateRatio: ratio.parse(b).ratio }),
  'slow-consumer': (b) => ({
    slowConsumerMs: z
      .object({ ms: z.number().int().min(0).max(60_000) })
      .strict()
      .parse(b).ms,
  }),
  'processor-outage': (b) => {
    z.object({}).strict().parse(b);
    return { processorOutage: true };
  },
  clear: () => ({
    outageStep: null,
    poisonRatio: 0,
    insufficientFundsRatio: 0,
    duplicateRatio: 0,
    slowConsumerMs: 0,
    processorOutage: false,
  }),
};

/** The knobs a fault sets (or clears); null for an unknown fault. Invalid bodies throw a ZodError. */
export function faultPatch(fault: string, body: unknown): TrafficKnobsPatch | null {
  // `fault` comes from a URL: own names only (faults.__proto__ is Object.prototype).
  const make = Object.hasOwn(faults, fault) ? faults[fault] : undefined;
  return make ? make(body) : null;
}

export const faultNames = Object.keys(faults);
