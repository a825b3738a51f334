/**
 * The runtime's IdempotencyStore port on Powertools idempotency (DynamoDB persistence layer):
 * the processor keeps the runtime's exactly-once logic (infra/runtime/processor.ts) while the
 * records, their conditional writes, the in-progress expiry and the TTL are Powertools'.
 *
 * Record key: `transaction#<base64(sha256(JSON.stringify(transactionId)))>` in attribute `key`
 * (infra/runtime/idempotency-key.ts builds the same key for readers of the table); TTL attribute
 * `expiryTime` (epoch seconds, = now + IDEMPOTENCY_TTL_HOURS, set by Powertools from
 * `expiresAfterSeconds`); status/result in `status`/`result`. The conditional put succeeds
 * only if no live record exists (absent, expired, or an abandoned IN_PROGRESS claim), which
 * is the port's `claim` contract.
 *
 * Payload validation: the processor binds the store to the message's transaction
 * (`forTransaction`), and Powertools stores a hash of the whole transaction (canonical: keys
 * sorted) in `validation` with the claim and its completion (`payloadValidationJmesPath`). A
 * later claim of the same transaction id meeting a COMPLETED record with another hash is the same
 * id with other content: `claim` throws PoisonMessageError (the message goes to the DLQ for
 * review, the record stays), as the embedded platform does. A record written without a hash
 * (before payload validation, or by an unbound `claim`) cannot be compared: it stays a duplicate.
 */
import type { JSONValue } from '@aws-lambda-powertools/commons/types';
import {
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { IdempotencyRecord as PowertoolsRecord } from '@aws-lambda-powertools/idempotency/persistence';
import {
  IDEMPOTENCY_EVENT_KEY_PATH,
  IDEMPOTENCY_HASH_FUNCTION,
  IDEMPOTENCY_KEY_PREFIX,
} from '../../runtime/idempotency-key';
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from '../../runtime/ports';
import { PoisonMessageError } from '../../runtime/processor';
import type { Transaction } from '../../runtime/transaction';

export const idempotencyAttributes = {
  keyAttr: 'key',
  expiryAttr: 'expiryTime',
  inProgressExpiryAttr: 'inProgressExpiryTime',
  statusAttr: 'status',
  dataAttr: 'result',
  validationKeyAttr: 'validation',
} as const;

/**
 * What Powertools hashes into `validation`: the whole payload, i.e. the transaction a bound store
 * claims (Powertools sorts the keys before hashing, so key order does not matter).
 */
export const IDEMPOTENCY_PAYLOAD_VALIDATION_PATH = '@';

/** The payload Powertools keys and hashes: the transaction, or `{ transactionId }` when unbound. */
type Payload = { transactionId: string } | Transaction;

export interface PowertoolsIdempotencyOptions {
  tableName: string;
  ttlHours: number;
  /** A DynamoDB client (tests, or one with X-Ray capture). */
  layer?: DynamoDBPersistenceLayer;
}

function toPort(key: string, r: PowertoolsRecord): IdempotencyRecord {
  const status = r.getStatus();
  return {
    key,
    status: status === IdempotencyRecordStatus.COMPLETED ? 'COMPLETED' : 'IN_PROGRESS',
    expiryTime: r.expiryTimestamp ?? 0,
    result: r.responseData === undefined ? null : JSON.stringify(r.responseData),
    createdAt: 0, // Powertools does not store a creation time
  };
}

export class PowertoolsIdempotencyStore implements IdempotencyStore {
  private readonly layer: DynamoDBPersistenceLayer;

  constructor(options: PowertoolsIdempotencyOptions) {
    this.layer =
      options.layer ?? new DynamoDBPersistenceLayer({ tableName: options.tableName, ...idempotencyAttributes });
    this.layer.configure({
      config: new IdempotencyConfig({
        eventKeyJmesPath: IDEMPOTENCY_EVENT_KEY_PATH,
        payloadValidationJmesPath: IDEMPOTENCY_PAYLOAD_VALIDATION_PATH,
        expiresAfterSeconds: options.ttlHours * 3600,
        hashFunction: IDEMPOTENCY_HASH_FUNCTION,
        throwOnNoIdempotencyKey: true,
      }),
      keyPrefix: IDEMPOTENCY_KEY_PREFIX,
    });
  }

  /**
   * The store for one message's transaction: its claim and completion record the transaction's
   * hash, and its claim refuses (PoisonMessageError) a completed record of the same id with
   * another hash. The processor uses this one; the unbound methods below record `{ transactionId }`.
   */
  forTransaction(transaction: Transaction): IdempotencyStore {
    const payloadOf = (key: string): Payload => {
      if (key !== transaction.transactionId)
        throw new Error(
          `idempotency key ${JSON.stringify(key)} is not the bound transaction's id ${JSON.stringify(transaction.transactionId)}`,
        );
      return transaction;
    };
    return {
      claim: (key, _expiryTime, now, inProgressUntil) => this.claimPayload(payloadOf(key), now, inProgressUntil),
      complete: (key, result) => this.completePayload(payloadOf(key), result),
      release: (key) => this.release(payloadOf(key).transactionId),
      get: (key) => this.get(payloadOf(key).transactionId),
    };
  }

  claim(key: string, _expiryTime: number, now: number, inProgressUntil?: number): Promise<ClaimResult> {
    return this.claimPayload({ transactionId: key }, now, inProgressUntil);
  }

  complete(key: string, result: string): Promise<void> {
    return this.completePayload({ transactionId: key }, result);
  }

  async release(key: string): Promise<void> {
    await this.layer.deleteRecord({ transactionId: key });
  }

  async get(key: string): Promise<IdempotencyRecord | null> {
    try {
      return toPort(key, await this.stored({ transactionId: key }));
    } catch (e) {
      if (e instanceof IdempotencyItemNotFoundError) return null;
      throw e;
    }
  }

  private async claimPayload(payload: Payload, now: number, inProgressUntil?: number): Promise<ClaimResult> {
    const key = payload.transactionId;
    try {
      await this.layer.saveInProgress(
        payload,
        inProgressUntil === undefined ? undefined : Math.max(1, inProgressUntil - now),
      );
      return { status: 'claimed' };
    } catch (e) {
      if (!(e instanceof IdempotencyItemAlreadyExistsError)) throw e;
      const existing = e.existingRecord ?? (await this.stored(payload));
      const record = toPort(key, existing);
      if (record.status !== 'COMPLETED') return { status: 'in_progress', record };
      if (!this.sameContent(existing, payload))
        throw new PoisonMessageError(
          'invalid',
          `transaction ${key} already has a saga (${sagaIdOf(record) ?? 'unknown'}) started with different content`,
        );
      return { status: 'completed', record };
    }
  }

  private async completePayload(payload: Payload, result: string): Promise<void> {
    await this.layer.saveSuccess(payload, JSON.parse(result) as JSONValue);
  }

  /** The stored record, whatever its payload hash (getRecord validates it: the comparison is ours). */
  private async stored(payload: Payload): Promise<PowertoolsRecord> {
    try {
      return await this.layer.getRecord(payload);
    } catch (e) {
      if (e instanceof IdempotencyValidationError && e.existingRecord) return e.existingRecord;
      throw e;
    }
  }

  /** False only when the record holds another payload's hash; a record without a hash cannot be compared. */
  private sameContent(existing: PowertoolsRecord, payload: Payload): boolean {
    if (!existing.payloadHash) return true;
    try {
      this.layer.processExistingRecord(existing, payload);
      return true;
    } catch (e) {
      if (e instanceof IdempotencyValidationError) return false;
      throw e;
    }
  }
}

function sagaIdOf(record: IdempotencyRecord): string | null {
  try {
    const result = JSON.parse(record.result ?? 'null') as { sagaId?: unknown } | null;
    return typeof result?.sagaId === 'string' ? result.sagaId : null;
  } catch {
    return null; // an unreadable result only loses the saga id in the message
  }
}
