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
 */
import type { JSONValue } from '@aws-lambda-powertools/commons/types';
import {
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { IdempotencyRecord as PowertoolsRecord } from '@aws-lambda-powertools/idempotency/persistence';
import {
  IDEMPOTENCY_EVENT_KEY_PATH,
  IDEMPOTENCY_HASH_FUNCTION,
  IDEMPOTENCY_KEY_PREFIX,
} from '../../runtime/idempotency-key';
import type { ClaimResult, IdempotencyRecord, IdempotencyStore } from '../../runtime/ports';

export const idempotencyAttributes = {
  keyAttr: 'key',
  expiryAttr: 'expiryTime',
  inProgressExpiryAttr: 'inProgressExpiryTime',
  statusAttr: 'status',
  dataAttr: 'result',
} as const;

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
        expiresAfterSeconds: options.ttlHours * 3600,
        hashFunction: IDEMPOTENCY_HASH_FUNCTION,
        throwOnNoIdempotencyKey: true,
      }),
      keyPrefix: IDEMPOTENCY_KEY_PREFIX,
    });
  }

  async claim(key: string, _expiryTime: number, now: number, inProgressUntil?: number): Promise<ClaimResult> {
    try {
      await this.layer.saveInProgress(
        { transactionId: key },
        inProgressUntil === undefined ? undefined : Math.max(1, inProgressUntil - now),
      );
      return { status: 'claimed' };
    } catch (e) {
      if (!(e instanceof IdempotencyItemAlreadyExistsError)) throw e;
      const existing = e.existingRecord ?? (await this.layer.getRecord({ transactionId: key }));
      const record = toPort(key, existing);
      return record.status === 'COMPLETED' ? { status: 'completed', record } : { status: 'in_progress', record };
    }
  }

  async complete(key: string, result: string): Promise<void> {
    await this.layer.saveSuccess({ transactionId: key }, JSON.parse(result) as JSONValue);
  }

  async release(key: string): Promise<void> {
    await this.layer.deleteRecord({ transactionId: key });
  }

  async get(key: string): Promise<IdempotencyRecord | null> {
    try {
      return toPort(key, await this.layer.getRecord({ transactionId: key }));
    } catch (e) {
      if (e instanceof IdempotencyItemNotFoundError) return null;
      throw e;
    }
  }
}
