/**
 * The transaction event: schema and parser, shared by the bus (embedded platform), the
 * processor Lambda and the embedded processor. Pure TypeScript + zod.
 *
 * An event is an EventBridge envelope whose `detail` is a Transaction:
 *   { id, source, "detail-type", time, detail: { transactionId, fromAccount, toAccount,
 *     amount, currency, createdAt }, "replay-name"? }
 */
import { z } from 'zod';
import { detailTypes, eventSources } from '../platform/description';

/** EventBridge's PutEvents limit for one entry (256 KiB). Larger events are rejected. */
export const MAX_EVENT_BYTES = 256 * 1024;
/** A single transfer above this (minor units) is refused by ValidatePayment (business limit). */
export const MAX_TRANSFER_AMOUNT = 100_000_000; // 1,000,000.00
/** Largest amount the schema accepts at all (keeps sums safely inside 2^53). */
const MAX_SCHEMA_AMOUNT = 1_000_000_000_000;

const accountId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters [A-Za-z0-9_-]');

export const transactionSchema = z
  .object({
    transactionId: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be 1-100 characters [A-Za-z0-9._:-]'),
    fromAccount: accountId,
    toAccount: accountId,
    amount: z.number().int('must be an integer number of minor units').positive().max(MAX_SCHEMA_AMOUNT),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
    createdAt: z.iso.datetime({ offset: true }),
    /** When the producer submitted it (optional; defaults to createdAt). */
    submittedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((t) => t.fromAccount !== t.toAccount, { message: 'must differ from fromAccount', path: ['toAccount'] });
export type Transaction = z.infer<typeof transactionSchema>;

export const envelopeSchema = z.object({
  version: z.string().optional(),
  id: z.string().min(1).max(128),
  source: z.string().min(1).max(256),
  'detail-type': z.string().min(1).max(256),
  time: z.iso.datetime({ offset: true }),
  region: z.string().optional(),
  account: z.string().optional(),
  resources: z.array(z.string()).optional(),
  'replay-name': z.string().optional(),
  detail: z.unknown(),
});
export type EventEnvelope = z.infer<typeof envelopeSchema>;

export interface TransactionEvent {
  id: string;
  source: (typeof eventSources)[number];
  detailType: (typeof detailTypes)[number];
  time: string;
  replayName: string | null;
  transaction: Transaction;
}

export type RejectionCode = 'oversized' | 'malformed' | 'unknown_type' | 'invalid';
export type ParseResult<T> = { ok: true; event: T } | { ok: false; code: RejectionCode; reason: string };

function byteLength(text: string): number {
  // UTF-8 length without Node's Buffer (this module is shared with Lambda and the browser-free runtime).
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** True when `text` is over MAX_EVENT_BYTES in UTF-8 (a UTF-16 code unit is at most 3 UTF-8 bytes: short texts are not counted). */
function oversized(text: string): boolean {
  return text.length * 3 > MAX_EVENT_BYTES && byteLength(text) > MAX_EVENT_BYTES;
}

function describe(error: z.ZodError, prefix: string): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.')}: ${i.message}`)
    .join('; ');
}

/**
 * True when JSON.stringify gives the same text for `raw` and for zod's copy `parsed` of it: a
 * plain object whose own keys are exactly the copy's, in the same order (zod keeps the values,
 * and `detail` is the same reference).
 */
function sameJson(raw: object, parsed: object): boolean {
  if (Object.getPrototypeOf(raw) !== Object.prototype || Object.hasOwn(raw, 'toJSON')) return false;
  const a = Object.keys(raw);
  const b = Object.keys(parsed);
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

/**
 * Envelope checks done by the bus on PutEvents: size, JSON, envelope fields, known
 * source/detail-type. Does not look inside `detail` (the processor does).
 * For an object argument, `text` is the JSON text it measured when it is also exactly
 * JSON.stringify(event), so a caller that stores the event need not serialize it again.
 */
export function parseEnvelope(
  raw: unknown,
): { ok: true; event: EventEnvelope; text?: string } | { ok: false; code: RejectionCode; reason: string } {
  let value: unknown = raw;
  let text: string | undefined;
  if (typeof raw === 'string') {
    if (oversized(raw))
      return {
        ok: false,
        code: 'oversized',
        reason: `event is ${byteLength(raw)} bytes; the limit is ${MAX_EVENT_BYTES}`,
      };
    try {
      value = JSON.parse(raw);
    } catch (e) {
      return { ok: false, code: 'malformed', reason: `event is not valid JSON: ${(e as Error).message}` };
    }
  } else {
    try {
      text = JSON.stringify(raw) ?? '';
    } catch (e) {
      return { ok: false, code: 'malformed', reason: `event is not serializable: ${(e as Error).message}` };
    }
    if (oversized(text))
      return {
        ok: false,
        code: 'oversized',
        reason: `event is ${byteLength(text)} bytes; the limit is ${MAX_EVENT_BYTES}`,
      };
  }
  const env = envelopeSchema.safeParse(value);
  if (!env.success) return { ok: false, code: 'malformed', reason: describe(env.error, '') };
  const e = env.data;
  if (!(eventSources as readonly string[]).includes(e.source)) {
    return {
      ok: false,
      code: 'unknown_type',
      reason: `unknown event source "${e.source}" (expected one of ${eventSources.join(', ')})`,
    };
  }
  if (!(detailTypes as readonly string[]).includes(e['detail-type'])) {
    return {
      ok: false,
      code: 'unknown_type',
      reason: `unknown detail-type "${e['detail-type']}" (expected one of ${detailTypes.join(', ')})`,
    };
  }
  if (e.detail === undefined) return { ok: false, code: 'malformed', reason: 'detail: required' };
  return text !== undefined && typeof raw === 'object' && raw !== null && sameJson(raw, e)
    ? { ok: true, event: e, text }
    : { ok: true, event: e };
}

/** Full parse (envelope + transaction detail). Used by the processor on every message body. */
export function parseTransactionEvent(raw: unknown): ParseResult<TransactionEvent> {
  const env = parseEnvelope(raw);
  if (!env.ok) return env;
  return transactionEventOf(env.event);
}

/**
 * The transaction part of parseTransactionEvent, for an envelope parseEnvelope already accepted
 * (a host that validated the envelope at its bus need not parse it again).
 */
export function transactionEventOf(envelope: EventEnvelope): ParseResult<TransactionEvent> {
  const env = { event: envelope };
  const detail = transactionSchema.safeParse(env.event.detail);
  if (!detail.success) return { ok: false, code: 'invalid', reason: describe(detail.error, 'detail') };
  return {
    ok: true,
    event: {
      id: env.event.id,
      source: env.event.source as TransactionEvent['source'],
      detailType: env.event['detail-type'] as TransactionEvent['detailType'],
      time: env.event.time,
      replayName: env.event['replay-name'] ?? null,
      transaction: detail.data,
    },
  };
}

/** Builds a well-formed envelope for a transaction (producers, traffic generator, tests). */
export function transactionEnvelope(
  id: string,
  tx: Transaction,
  time: string,
  source: TransactionEvent['source'] = 'transaction.processing',
): EventEnvelope {
  return { version: '0', id, source, 'detail-type': 'TransactionSubmitted', time, detail: tx };
}
