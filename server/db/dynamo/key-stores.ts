import 'server-only';
import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Caller } from '../../auth/permissions.schema';
import type { SeenRoleRow, SeenRoleRows } from '../../auth/seen-roles';
import { ACTION_CLAIM_TTL_MS, type ActionClaimStore, type ClaimHolder, type ClaimResult } from '../action-claim-store';
import { REQUEST_KEY_TTL_MS, type RequestKeyClaim, type RequestKeyStore } from '../request-key-store';
import { isConditionFailed } from './client';

/**
 * Request keys, action claims and seen roles on DynamoDB (the STATE table). Each claim is ONE
 * conditional put: it lands when no live item holds the key (attribute_not_exists, or the stored
 * one has expired), so of N concurrent claims exactly one wins. `ttl` (epoch seconds) lets
 * DynamoDB delete expired keys and claims; reads never trust an expired item, since the TTL
 * sweep lags.
 */
const ttlOf = (expiresAt: number) => Math.ceil(expiresAt / 1000);
const FREE = 'attribute_not_exists(pk) OR expires_at <= :now';

type Doc = DynamoDBDocumentClient;

async function putIfFree(doc: Doc, table: string, item: Record<string, unknown>, now: number): Promise<boolean> {
  try {
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: item,
        ConditionExpression: FREE,
        ExpressionAttributeValues: { ':now': now },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

async function getItem(doc: Doc, table: string, pk: string, sk: string) {
  const res = await doc.send(new GetCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true }));
  return res.Item as Record<string, unknown> | undefined;
}

/** Deletes the item only while `attribute` still holds `value` (e.g. the holder's own token). */
async function deleteIf(doc: Doc, table: string, key: { pk: string; sk: string }, attribute: string, value: string) {
  try {
    await doc.send(
      new DeleteCommand({
        TableName: table,
        Key: key,
        ConditionExpression: '#a = :v',
        ExpressionAttributeNames: { '#a': attribute },
        ExpressionAttributeValues: { ':v': value },
      }),
    );
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
}

export class DynamoRequestKeyStore implements RequestKeyStore {
  constructor(
    private readonly doc: Doc,
    private readonly table: string,
  ) {}

  private key = (actorId: string, key: string) => ({ pk: `reqkey#${actorId}`, sk: key });

  async claim(
    actorId: string,
    key: string,
    action: string,
    fingerprint: string,
    now = Date.now(),
  ): Promise<RequestKeyClaim> {
    const k = this.key(actorId, key);
    for (let attempt = 0; attempt < 5; attempt++) {
      const expiresAt = now + REQUEST_KEY_TTL_MS;
      const item = {
        ...k,
        action,
        fingerprint,
        status: 'IN_PROGRESS',
        created_at: now,
        expires_at: expiresAt,
        ttl: ttlOf(expiresAt),
      };
      if (await putIfFree(this.doc, this.table, item, now)) return { state: 'new' };
      const row = await getItem(this.doc, this.table, k.pk, k.sk);
      if (!row || Number(row.expires_at) <= now) continue; // released or expired meanwhile: claim again
      if (row.fingerprint !== fingerprint) return { state: 'mismatch', action: String(row.action) };
      if (row.status === 'DONE') {
        const response = typeof row.response === 'string' ? (JSON.parse(row.response) as unknown) : null;
        return { state: 'done', status: Number(row.http_status ?? 200), response };
      }
      return { state: 'in_progress' };
    }
    return { state: 'in_progress' };
  }

  async complete(actorId: string, key: string, status: number, response: unknown): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(actorId, key),
          UpdateExpression: 'SET #s = :done, http_status = :status, #r = :response',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#s': 'status', '#r': 'response' },
          ExpressionAttributeValues: {
            ':done': 'DONE',
            ':status': status,
            ':response': JSON.stringify(response ?? null),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  async release(actorId: string, key: string): Promise<void> {
    await deleteIf(this.doc, this.table, this.key(actorId, key), 'status', 'IN_PROGRESS');
  }
}

export class DynamoActionClaimStore implements ActionClaimStore {
  constructor(
    private readonly doc: Doc,
    private readonly table: string,
  ) {}

  async claim(scope: string, holder: Omit<ClaimHolder, 'claimedAt'>, now = Date.now()): Promise<ClaimResult> {
    const pk = `claim#${scope}`;
    for (let attempt = 0; attempt < 10; attempt++) {
      const token = randomUUID();
      const expiresAt = now + ACTION_CLAIM_TTL_MS;
      const item = {
        pk,
        sk: 'claim',
        token,
        action: holder.action,
        actor_id: holder.actorId,
        actor_name: holder.actorName,
        request_id: holder.requestId,
        detail: holder.detail,
        claimed_at: now,
        expires_at: expiresAt,
        ttl: ttlOf(expiresAt),
      };
      if (await putIfFree(this.doc, this.table, item, now)) return { ok: true, token };
      const row = await getItem(this.doc, this.table, pk, 'claim');
      // Released between the put and this read: the caller may simply try again.
      if (!row) continue;
      return {
        ok: false,
        holder: {
          action: String(row.action),
          actorId: String(row.actor_id),
          actorName: String(row.actor_name),
          requestId: String(row.request_id),
          detail: String(row.detail),
          claimedAt: new Date(Number(row.claimed_at)).toISOString(),
        },
      };
    }
    throw new Error(`claims: the claim of ${scope} kept changing hands; try again`);
  }

  async release(scope: string, token: string): Promise<void> {
    await deleteIf(this.doc, this.table, { pk: `claim#${scope}`, sk: 'claim' }, 'token', token);
  }
}

/** The storage of seen roles (server/auth/seen-roles.ts adds the per-process write cache). */
export function dynamoSeenRoleRows(doc: Doc, table: string): SeenRoleRows {
  return {
    async upsert(caller: Caller, now: number) {
      await doc.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: `seen#${caller.id}`,
            sk: 'seen',
            user_id: caller.id,
            name: caller.name,
            role: caller.role,
            seen_at: now,
          },
        }),
      );
    },
    async select(userId: string): Promise<SeenRoleRow | undefined> {
      const row = await getItem(doc, table, `seen#${userId}`, 'seen');
      return (
        row && {
          userId: String(row.user_id),
          name: String(row.name),
          role: String(row.role),
          seenAt: Number(row.seen_at),
        }
      );
    },
  };
}
