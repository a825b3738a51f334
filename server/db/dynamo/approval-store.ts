import 'server-only';
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { consoleTableKeys } from '../../../infra/platform/console';
import type { Approval, ApprovalStatus } from '../../approvals/approval.schema';
import {
  approvalRowOf,
  toApproval,
  type ApprovalRow,
  type ApprovalsForReview,
  type ApprovalStore,
  type NewApproval,
} from '../../approvals/store';
import type { Caller } from '../../auth/permissions.schema';
import { isConditionFailed, padded } from './client';
import { queryPages } from './query';

/**
 * Approval requests on DynamoDB (the STATE table): one item per request at `approval#<id>`.
 * Every status move is ONE conditional UpdateItem, so it happens exactly once under any
 * concurrency: decide is conditioned on status = PENDING, requester <> decider and not expired;
 * finish on status = APPROVED. The gsi1 index lists requests newest first in two partitions:
 * `approvals#pending` while waiting, `approvals#settled` once decided (the deciding update moves
 * it) or found expired (moved by the next read of the waiting list). No TTL: requests are kept,
 * as in SQLite.
 */
const PK = (id: string) => `approval#${id}`;
const SK = 'approval';
const PENDING = 'approvals#pending';
const SETTLED = 'approvals#settled';
const LIST_MAX = 1_000;
const gsi1 = consoleTableKeys.state.gsi1;

type Item = ApprovalRow & { pk: string; sk: string; gsi1pk: string; gsi1sk: string };

export class DynamoApprovalStore implements ApprovalStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(a: NewApproval, now = Date.now()): Promise<Approval> {
    const id = `apr-${randomUUID()}`;
    const row = approvalRowOf(id, a, now);
    const item: Item = { ...row, pk: PK(id), sk: SK, gsi1pk: PENDING, gsi1sk: `${padded(now, 15)}#${id}` };
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    return toApproval(row, now);
  }

  async get(id: string, now = Date.now()): Promise<Approval | null> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: PK(id), sk: SK }, ConsistentRead: true }),
    );
    return res.Item ? toApproval(res.Item as Item, now) : null;
  }

  /** One gsi1 partition, newest first (requested_at, then id, descending), at most `max` items. */
  private async partition(gsi1pk: string, max: number): Promise<Item[]> {
    const out: Item[] = [];
    const pages = queryPages<Item>(this.doc, {
      TableName: this.table,
      IndexName: gsi1.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': gsi1.partitionKey },
      ExpressionAttributeValues: { ':pk': gsi1pk },
      ScanIndexForward: false,
      ...(Number.isFinite(max) ? { Limit: Math.min(max, 500) } : {}),
    });
    for await (const items of pages) {
      out.push(...items);
      if (out.length >= max) break;
    }
    return out.slice(0, max);
  }

  async list(filter: { status?: ApprovalStatus; limit: number }, now = Date.now()): Promise<Approval[]> {
    const [pending, settled] = await Promise.all([
      this.partition(PENDING, LIST_MAX),
      this.partition(SETTLED, LIST_MAX),
    ]);
    return [...pending, ...settled]
      .sort((x, y) => (x.gsi1sk < y.gsi1sk ? 1 : x.gsi1sk > y.gsi1sk ? -1 : 0))
      .slice(0, LIST_MAX)
      .map((r) => toApproval(r, now))
      .filter((a) => !filter.status || a.status === filter.status)
      .slice(0, filter.limit);
  }

  async waiting(now = Date.now()): Promise<Approval[]> {
    const rows = await this.partition(PENDING, Infinity);
    const expired = rows.filter((r) => r.status !== 'PENDING' || r.expires_at <= now);
    await Promise.all(expired.map((r) => this.settle(r.id, now)));
    return rows
      .filter((r) => r.status === 'PENDING' && r.expires_at > now)
      .sort((x, y) => x.expires_at - y.expires_at || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
      .map((r) => toApproval(r, now));
  }

  /** Moves a request that no longer waits out of the pending partition (status unchanged). */
  private async settle(id: string, now: number): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: PK(id), sk: SK },
          UpdateExpression: 'SET gsi1pk = :settled',
          ConditionExpression: 'gsi1pk = :pending AND (#s <> :p OR expires_at <= :now)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':settled': SETTLED, ':pending': PENDING, ':p': 'PENDING', ':now': now },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  async listForReview({ decidedLimit }: { decidedLimit: number }, now = Date.now()): Promise<ApprovalsForReview> {
    const pending = await this.waiting(now);
    // Waiting requests never sit here (waiting() just moved the expired ones): newest first by key.
    const settled = (await this.partition(SETTLED, decidedLimit + 1)).filter(
      (r) => !(r.status === 'PENDING' && r.expires_at > now),
    );
    return {
      pending,
      decided: settled.slice(0, decidedLimit).map((r) => toApproval(r, now)),
      moreDecided: settled.length > decidedLimit,
    };
  }

  async decide(
    id: string,
    decision: 'APPROVED' | 'REJECTED',
    by: Caller,
    comment: string | null,
    now = Date.now(),
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: PK(id), sk: SK },
          UpdateExpression:
            'SET #s = :decision, decided_by = :by, decided_by_name = :name, decided_at = :now, decision_comment = :comment, gsi1pk = :settled',
          ConditionExpression: '#s = :pending AND expires_at > :now AND requested_by <> :by',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':decision': decision,
            ':by': by.id,
            ':name': by.name,
            ':now': now,
            ':comment': comment,
            ':settled': SETTLED,
            ':pending': 'PENDING',
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async finish(id: string, status: 'EXECUTED' | 'FAILED', result: unknown, now = Date.now()): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: PK(id), sk: SK },
          UpdateExpression: 'SET #s = :status, #r = :result, executed_at = :now',
          ConditionExpression: '#s = :approved',
          ExpressionAttributeNames: { '#s': 'status', '#r': 'result' },
          ExpressionAttributeValues: {
            ':status': status,
            ':result': JSON.stringify(result ?? null),
            ':now': now,
            ':approved': 'APPROVED',
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }
}
