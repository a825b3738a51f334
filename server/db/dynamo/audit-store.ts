import 'server-only';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AUDIT_SEQ_WIDTH, consoleTableKeys } from '../../../infra/platform/console';
import type { AuditEntry, AuditPage, AuditQuery, AuditVerification } from '../../audit/audit.schema';
import {
  auditFields,
  GENESIS,
  hashOf,
  toEntry,
  type AuditRecord,
  type AuditRow,
  type AuditStore,
} from '../../audit/store';
import { PlatformError } from '../../platform/port';
import { matchesAuditFilter } from './audit-filter';
import { isConditionFailed, padded } from './client';
import { queryAll, queryPages } from './query';

/**
 * The audit log on DynamoDB (the AUDIT table of infra/platform/console.ts): one hash chain per
 * writer (console process), merged on read.
 * - append: serialised in this process (a promise queue), each entry ONE conditional put
 *   (attribute_not_exists(pk)) at `chain#<writer>` / zero-padded seq, chained to this writer's
 *   previous entry. Several tasks never contend for one head, and no transaction is needed. The
 *   writer registers itself (pk 'writers') before its first entry, so verify() knows every chain.
 * - list: newest first through the byTime index (one partition per UTC day), the same filters
 *   and paging as the SQLite log; the cursor is the last entry's byTime key. The days that hold
 *   entries are recorded once each (pk 'days', sk = day; insert-only like every audit item,
 *   so the stream to the Object Lock archive never sees an update).
 * - verify: every writer's chain verifies from its genesis, gap-free (a removed or edited entry
 *   breaks it; only dropping a chain's newest entries is invisible here, which the locked copy
 *   in S3 answers).
 */
const AT_WIDTH = 15;
const WRITERS = 'writers';
const DAYS = 'days';
const byTime = consoleTableKeys.audit.byTime;

const chainPk = (writer: string) => `chain#${writer}`;
const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10);
const atKeyOf = (at: number, writer: string, seq: number) =>
  `${padded(at, AT_WIDTH)}#${writer}#${padded(seq, AUDIT_SEQ_WIDTH)}`;

export interface AuditItem extends AuditRow {
  pk: string;
  sk: string;
  day: string;
  atKey: string;
  writer: string;
}

function cursorAt(cursor: string): number {
  const match = /^(\d{15})#[A-Za-z0-9._-]+#\d+$/.exec(cursor);
  if (!match) {
    throw new PlatformError('Invalid', 'cursor: not a position in this audit log; start from the first page', 'cursor');
  }
  return Number(match[1]);
}

export class DynamoAuditStore implements AuditStore {
  private head: { seq: number; hash: string } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly knownDays = new Set<string>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    readonly writerId: string,
  ) {}

  append(record: AuditRecord, now = Date.now()): Promise<AuditEntry> {
    const run = this.queue.then(() => this.appendNow(record, now));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A put that happens at most once: losing the condition means it is already there. */
  private async putOnce(item: Record<string, unknown>): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  private async appendNow(record: AuditRecord, now: number): Promise<AuditEntry> {
    let head = this.head;
    if (!head) {
      await this.putOnce({ pk: WRITERS, sk: this.writerId, writer: this.writerId, registeredAt: now });
      head = this.head = { seq: 0, hash: GENESIS };
    }
    const day = dayOf(now);
    if (!this.knownDays.has(day)) {
      await this.putOnce({ pk: DAYS, sk: day });
      this.knownDays.add(day);
    }
    const row = auditFields(record, now);
    const pk = chainPk(this.writerId);
    for (let attempt = 0; attempt < 3; attempt++) {
      const seq: number = head.seq + 1;
      const prev = head.hash;
      const item: AuditItem = {
        pk,
        sk: padded(seq, AUDIT_SEQ_WIDTH),
        day,
        atKey: atKeyOf(now, this.writerId, seq),
        writer: this.writerId,
        seq,
        ...row,
        prev_hash: prev,
        hash: hashOf(prev, row),
      };
      try {
        await this.doc.send(
          new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
        );
        this.head = { seq, hash: item.hash };
        return toEntry(item);
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        // An earlier append of this chain landed although its answer was lost: chain after it.
        const found = await this.doc.send(
          new GetCommand({ TableName: this.table, Key: { pk, sk: item.sk }, ConsistentRead: true }),
        );
        const hash = (found.Item as AuditItem | undefined)?.hash;
        if (!hash) throw error;
        head = this.head = { seq, hash };
      }
    }
    throw new Error(`audit: chain ${this.writerId} could not take entry ${head.seq + 1}`);
  }

  private async writers(): Promise<string[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': WRITERS },
      ConsistentRead: true,
    });
    return items.map((i) => String(i.sk));
  }

  async list(filter: AuditQuery): Promise<AuditPage> {
    const limit = filter.limit;
    const lowAt = filter.from ? Date.parse(filter.from) : null;
    const toAt = filter.to ? Date.parse(filter.to) : null;
    const cursorAtMs = filter.cursor ? cursorAt(filter.cursor) : null;
    let high = toAt === null ? '9'.repeat(AT_WIDTH + 1) : `${padded(toAt, AT_WIDTH)}#~`;
    if (filter.cursor && filter.cursor < high) high = filter.cursor;
    const low = lowAt === null ? '0' : `${padded(lowAt, AT_WIDTH)}#`;
    const highAt = Math.min(toAt ?? Infinity, cursorAtMs ?? Infinity);
    const days = (
      await queryAll(this.doc, {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': DAYS },
      })
    )
      .map((i) => String(i.sk))
      .filter((d) => (lowAt === null || d >= dayOf(lowAt)) && (highAt === Infinity || d <= dayOf(highAt)))
      .sort()
      .reverse();
    const found: AuditItem[] = [];
    for (const day of days) {
      const pages = queryPages<AuditItem>(this.doc, {
        TableName: this.table,
        IndexName: byTime.indexName,
        KeyConditionExpression: '#day = :day AND #at BETWEEN :low AND :high',
        ExpressionAttributeNames: { '#day': byTime.partitionKey, '#at': byTime.sortKey },
        ExpressionAttributeValues: { ':day': day, ':low': low, ':high': high },
        ScanIndexForward: false,
        Limit: 200,
      });
      for await (const items of pages) {
        for (const item of items) {
          if (item.atKey === filter.cursor || !matchesAuditFilter(item, filter)) continue;
          found.push(item);
        }
        if (found.length > limit) break;
      }
      if (found.length > limit) break;
    }
    const page = found.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toEntry), nextCursor: found.length > limit && last ? last.atKey : null };
  }

  async count(): Promise<number> {
    let total = 0;
    for (const writer of await this.writers()) {
      const newest = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': chainPk(writer) },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      );
      total += Number((newest.Items?.[0] as AuditItem | undefined)?.seq ?? 0);
    }
    return total;
  }

  async verify(): Promise<AuditVerification> {
    for (const writer of (await this.writers()).sort()) {
      let prev = GENESIS;
      let expected = 1;
      const pages = queryPages<AuditItem>(this.doc, {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': chainPk(writer) },
        ConsistentRead: true,
      });
      for await (const items of pages) {
        for (const item of items) {
          const intact =
            item.seq === expected &&
            item.sk === padded(expected, AUDIT_SEQ_WIDTH) &&
            item.writer === writer &&
            item.day === dayOf(item.at) &&
            item.atKey === atKeyOf(item.at, writer, expected) &&
            item.prev_hash === prev &&
            hashOf(prev, item) === item.hash;
          if (!intact) return { ok: false, brokenAt: expected, writer };
          prev = item.hash;
          expected++;
        }
      }
    }
    return { ok: true, brokenAt: null };
  }
}
