import 'server-only';
/**
 * The local-only admin API's server side (app/api/admin/**): traffic knobs and fault injection
 * on the embedded platform, written as rows the engine process picks up (settings, inbox).
 * Refused with 403 unless the backend is local and LEDGERLINE_ADMIN_API is on, and unless the
 * request is addressed to (and, with an Origin, sent from) a loopback name; cross-site browser
 * requests are refused too (a web page must not be able to inject faults). scripts/start.mjs
 * refuses to bind a non-loopback HOST while the admin API is on.
 */
import { z } from 'zod';
import { queuePairs } from '@/infra/platform/description';
import { isLoopbackHost } from '@/scripts/host-check.mjs';
import { env } from '@/server/env';
import { HttpError, toErrorResponse } from '@/server/http/errors';
import { assertSameOrigin, MUTATING } from '@/server/http/guards';
import { requestIdOf } from '@/server/http/route';
import { dlqOf } from '../../../infra/embedded/db';
import {
  defaultTrafficKnobs,
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

export const injectEventsInput = z.object({
  /** Raw events (objects or JSON text) handed to the bus as they are: invalid ones are rejected and counted by the engine. */
  events: z
    .array(z.union([z.string().max(512 * 1024), z.record(z.string(), z.unknown())]))
    .min(1)
    .max(100),
});

export function injectEvents(events: z.infer<typeof injectEventsInput>['events']): { queued: number } {
  const d = db();
  const insert = d.prepare('INSERT INTO inbox (body, created_at) VALUES (?, ?)');
  d.transaction(() => {
    for (const e of events) insert.run(typeof e === 'string' ? e : JSON.stringify(e), Date.now());
  }).immediate();
  return { queued: events.length };
}

export const purgeDeadLettersInput = z
  .object({ queue: z.enum(queuePairs.map((q) => q.id) as [string, ...string[]]) })
  .strict();

/**
 * PurgeQueue on a queue's DLQ (local only): drops every dead letter, so a spec can start from a
 * DLQ that holds only the messages it put there. Counts stay exact (same transaction).
 */
export function purgeDeadLetters(queue: string): { purged: number } {
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

/** The hostname of a Host header value ("127.0.0.1:3000" → "127.0.0.1"); null when it is not a plain host[:port]. */
function hostnameOf(host: string): string | null {
  if (!/^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) return null;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return null;
  }
}

/**
 * The admin API answers only requests addressed to a loopback name (Host header) and, when the
 * request carries an Origin, coming from a loopback origin. Binding to 127.0.0.1 alone is not
 * enough: a DNS-rebinding page (rebind.attacker.example resolving to 127.0.0.1) reaches the
 * socket with its own name in Host and Origin, and `HOST=0.0.0.0` opens the socket to the network.
 */
export function assertLoopbackRequest(request: Request): void {
  const host = request.headers.get('host') ?? new URL(request.url).host;
  const hostname = hostnameOf(host);
  if (hostname === null || !isLoopbackHost(hostname)) {
    throw new HttpError(
      403,
      'AdminApiNotLoopback',
      `host: the admin API answers only requests to 127.0.0.1, localhost or [::1] (Host header was ${JSON.stringify(host.slice(0, 100))})`,
      'host',
    );
  }
  const origin = request.headers.get('origin');
  if (origin === null) return;
  let originHostname: string | null = null;
  try {
    const url = new URL(origin);
    if (url.protocol === 'http:' || url.protocol === 'https:') originHostname = url.hostname;
  } catch {
    originHostname = null;
  }
  if (originHostname === null || !isLoopbackHost(originHostname)) {
    throw new HttpError(
      403,
      'AdminApiNotLoopback',
      `origin: the admin API answers only pages served from 127.0.0.1, localhost or [::1] (Origin header was ${JSON.stringify(origin.slice(0, 100))})`,
      'origin',
    );
  }
}

/**
 * Wraps an admin handler: local backend only, admin API enabled, loopback Host (and Origin when
 * sent), no cross-site requests, one error mapper.
 */
export function adminRoute<S extends z.ZodType | undefined>(
  schema: S,
  handler: (input: S extends z.ZodType ? z.infer<S> : undefined, params: Record<string, string>) => unknown,
) {
  return async (
    request: Request,
    context: { params: Promise<Record<string, string | string[]>> },
  ): Promise<Response> => {
    const requestId = requestIdOf(request);
    try {
      if (env.LEDGERLINE_BACKEND !== 'local')
        throw new HttpError(
          403,
          'AdminApiDisabled',
          'The admin API exists only with the local backend (LEDGERLINE_BACKEND=local)',
        );
      if (!env.LEDGERLINE_ADMIN_API)
        throw new HttpError(403, 'AdminApiDisabled', 'The admin API is disabled (LEDGERLINE_ADMIN_API=false)');
      assertLoopbackRequest(request);
      if (
        MUTATING.has(request.method) &&
        (request.headers.get('origin') !== null || request.headers.get('sec-fetch-site') !== null)
      )
        assertSameOrigin(request);
      let input: unknown = undefined;
      if (schema) {
        const raw: unknown = await request.json().catch(() => {
          throw new HttpError(400, 'InvalidJson', 'body: the request body must be JSON', 'body');
        });
        input = schema.parse(raw);
      }
      const raw = (await context.params) ?? {};
      const params = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.join('/') : v]));
      const result = await handler(input as S extends z.ZodType ? z.infer<S> : undefined, params);
      return Response.json(result ?? null, { headers: { 'cache-control': 'no-store', 'x-request-id': requestId } });
    } catch (error) {
      return toErrorResponse(error, requestId);
    }
  };
}
