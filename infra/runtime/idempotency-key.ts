/**
 * The key under which the processor's idempotency records live in the idempotency table.
 *
 * The processor stores them with Powertools idempotency (infra/lambda/adapters/powertools-idempotency.ts),
 * configured from the constants below: Powertools extracts `transactionId` from the payload
 * (IDEMPOTENCY_EVENT_KEY_PATH), hashes `JSON.stringify(value)` with sha256, base64-encodes the
 * digest and prefixes it: `transaction#<base64(sha256("\"tx-1\""))>`. Anything that reads those
 * records (the console's replay preview) must build the key with `idempotencyRecordKey`, never
 * from the raw transaction id. infra/runtime/idempotency-key.test.ts checks this against what
 * Powertools really writes.
 */
import { createHash } from 'node:crypto';

export const IDEMPOTENCY_KEY_PREFIX = 'transaction';
export const IDEMPOTENCY_EVENT_KEY_PATH = 'transactionId';
export const IDEMPOTENCY_HASH_FUNCTION = 'sha256';

/** `transaction#` + base64(sha256(JSON.stringify(transactionId))), as Powertools stores it. */
export function idempotencyRecordKey(transactionId: string): string {
  // Powertools hashes JSON.stringify(deepSort(payload)); a string sorts to itself.
  const digest = createHash(IDEMPOTENCY_HASH_FUNCTION).update(JSON.stringify(transactionId)).digest('base64');
  return `${IDEMPOTENCY_KEY_PREFIX}#${digest}`;
}
