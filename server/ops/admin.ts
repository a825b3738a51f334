import 'server-only';
/**
 * The local fault API's verbs (app/api/admin/**): traffic knobs and fault injection on the
 * embedded platform, written as rows the engine process picks up (settings, inbox). Reached only
 * through the route wrapper with an admin session and CSRF token, on the local backend with
 * LEDGERLINE_ADMIN_API on, from loopback (server/http/admin-guard.ts); every change is audited.
 */
import { z } from 'zod';
import { queuePairs } from '@/infra/platform/description';
import type { AuditAction } from '@/server/audit/audit.schema';
import type { Caller } from '@/server/auth/permissions.schema';
import { HttpError } from '@/server/http/errors';
import {
  faultNames,
  faultPatch,
  patchKnobs,
  purgeDlq,
  queueEvents,
  readKnobs as readStoredKnobs,
} from '../platform/local/admin-store';
import type { OpsContext, RequestMeta } from './context';

type TrafficKnobs = ReturnType<typeof patchKnobs>;
type TrafficKnobsPatch = Parameters<typeof patchKnobs>[0];

/** How deeply an injected event may nest (a real event nests 3 levels; serialising deeper ones overflows the stack). */
export const MAX_EVENT_DEPTH = 32;

/** The nesting depth of JSON text, counted without parsing it (brackets outside strings). */
function textDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      max = Math.max(max, ++depth);
      if (max > limit) return max;
    } else if (c === '}' || c === ']') depth--;
  }
  return max;
}

/** The nesting depth of a parsed value, iteratively (never deeper than `limit` + 1 is explored). */
function valueDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    max = Math.max(max, d);
    if (max > limit) return max;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

const rawEvent = z
  .union([z.string().max(512 * 1024), z.record(z.string(), z.unknown())])
  .refine(
    (e) => (typeof e === 'string' ? textDepth(e, MAX_EVENT_DEPTH) : valueDepth(e, MAX_EVENT_DEPTH)) <= MAX_EVENT_DEPTH,
    {
      message: `nested deeper than ${MAX_EVENT_DEPTH} levels`,
    },
  );

export const injectEventsInput = z
  .object({
    /** Raw events (objects or JSON text) handed to the bus as they are: invalid ones are rejected and counted by the engine. */
    events: z.array(rawEvent).min(1).max(100),
  })
  .strict();

export const purgeDeadLettersInput = z
  .object({ queue: z.enum(queuePairs.map((q) => q.id) as [string, ...string[]]) })
  .strict();

/** The embedded platform's traffic and fault knobs. */
export function readKnobs(): TrafficKnobs {
  return readStoredKnobs();
}

/** Every change the fault API makes is audited, like an operator's action. */
async function audited<T>(
  ctx: OpsContext,
  caller: Caller,
  meta: RequestMeta,
  row: { action: AuditAction; target: string; inputs: unknown },
  result: T,
): Promise<T> {
  await ctx.audit.append(
    {
      requestId: meta.requestId,
      actor: caller,
      action: row.action,
      outcome: 'succeeded',
      target: row.target,
      idempotencyKey: meta.idempotencyKey,
      inputs: row.inputs,
      result,
    },
    ctx.now(),
  );
  return result;
}

/** Changes some traffic knobs (unknown or invalid fields: 422 naming the field). */
export function changeTraffic(
  ctx: OpsContext,
  caller: Caller,
  meta: RequestMeta,
  patch: TrafficKnobsPatch,
): Promise<TrafficKnobs> {
  const knobs = patchKnobs(patch);
  return audited(ctx, caller, meta, { action: 'admin.traffic', target: 'traffic', inputs: patch }, knobs);
}

/**
 * Turns a fault on or off: outage | poison | insufficient-funds | duplicates | slow-consumer |
 * processor-outage | clear. Bodies: { step: "SettlePayment" | null } · { ratio: 0..1 } ·
 * { ms: 0..60000 } · {}. processor-outage: valid messages fail with ProcessorOutage until clear.
 */
export function setFault(
  ctx: OpsContext,
  caller: Caller,
  meta: RequestMeta,
  fault: string,
  body: unknown,
): Promise<TrafficKnobs> {
  // The name comes from the URL: only the faults' own names (never __proto__, constructor...).
  const patch = faultNames.includes(fault) ? faultPatch(fault, body ?? {}) : null;
  if (!patch)
    throw new HttpError(
      404,
      'UnknownFault',
      `fault: ${JSON.stringify(fault.slice(0, 100))} is not one of ${faultNames.join(', ')}`,
      'fault',
    );
  const knobs = patchKnobs(patch);
  return audited(ctx, caller, meta, { action: 'admin.fault', target: `fault:${fault}`, inputs: body ?? {} }, knobs);
}

/** Hands raw events to the embedded bus (e.g. a poison message on purpose). The engine validates them. */
export function injectEvents(
  ctx: OpsContext,
  caller: Caller,
  meta: RequestMeta,
  events: z.infer<typeof injectEventsInput>['events'],
): Promise<{ queued: number }> {
  const queued = queueEvents(events);
  return audited(
    ctx,
    caller,
    meta,
    { action: 'admin.events', target: 'bus', inputs: { count: events.length } },
    queued,
  );
}

/** Empties a queue's DLQ (local only). */
export function purgeDeadLetters(
  ctx: OpsContext,
  caller: Caller,
  meta: RequestMeta,
  queue: string,
): Promise<{ purged: number }> {
  const purged = purgeDlq(queue);
  return audited(ctx, caller, meta, { action: 'admin.purge', target: `queue:${queue}`, inputs: { queue } }, purged);
}
