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

export const injectEventsInput = z.object({
  /** Raw events (objects or JSON text) handed to the bus as they are: invalid ones are rejected and counted by the engine. */
  events: z
    .array(z.union([z.string().max(512 * 1024), z.record(z.string(), z.unknown())]))
    .min(1)
    .max(100),
});

export const purgeDeadLettersInput = z
  .object({ queue: z.enum(queuePairs.map((q) => q.id) as [string, ...string[]]) })
  .strict();

/** The embedded platform's traffic and fault knobs. */
export function readKnobs(): TrafficKnobs {
  return readStoredKnobs();
}

/** Every change the fault API makes is audited, like an operator's action. */
function audited<T>(
  ctx: OpsContext,
  caller: Caller,
  meta: RequestMeta,
  row: { action: AuditAction; target: string; inputs: unknown },
  result: T,
): T {
  ctx.audit.append(
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
): TrafficKnobs {
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
): TrafficKnobs {
  const patch = faultPatch(fault, body ?? {});
  if (!patch)
    throw new HttpError(404, 'UnknownFault', `fault: ${fault} is not one of ${faultNames.join(', ')}`, 'fault');
  const knobs = patchKnobs(patch);
  return audited(ctx, caller, meta, { action: 'admin.fault', target: `fault:${fault}`, inputs: body ?? {} }, knobs);
}

/** Hands raw events to the embedded bus (e.g. a poison message on purpose). The engine validates them. */
export function injectEvents(
  ctx: OpsContext,
  caller: Caller,
  meta: RequestMeta,
  events: z.infer<typeof injectEventsInput>['events'],
): { queued: number } {
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
): { purged: number } {
  const purged = purgeDlq(queue);
  return audited(ctx, caller, meta, { action: 'admin.purge', target: `queue:${queue}`, inputs: { queue } }, purged);
}
