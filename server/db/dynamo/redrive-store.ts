import 'server-only';
import {
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { consoleTableKeys } from '../../../infra/platform/console';
import {
  summaryOf,
  type RedriveFinish,
  type RedriveProgress,
  type RedriveStore,
  type StoredRedrive,
  type StoredRedriveStatus,
  type StoredRedriveSummary,
} from '../redrive-store';
import { isConditionFailed, padded } from './client';
import { queryAll, queryPages } from './query';

/**
 * Redrive records on DynamoDB (the STATE table). The main item, at pk `redrive#<id>`, sk
 * `redrive`, holds everything but the moved transaction ids; gsi1 lists a queue's records newest
 * first (`redrives#<queueId>`, `<createdAtMs, 15 digits>#<id>`). Every status move is ONE
 * conditional UpdateItem on the main item, so it happens exactly once whichever task sends it.
 *
 * The moved transaction ids (up to 10,000; at 40 characters each that is already 400 KB) would take
 * a main item past DynamoDB's 400 KB item limit, so they live in chunk items beside it (sk
 * `moved#<index, 4 digits>`, TX_PER_CHUNK ids each, null kept as the list's NULL). No
 * TransactWriteItems (dynalite, the tests' server, has none), so a write of the list is two steps:
 * the chunks it touched first, then the conditional update of the main item, which also sets
 * `tx_count`. A reader takes only the first `tx_count` ids of the chunks: ids a pending or refused
 * write put there (a runner whose run another task ended) are never shown, and the chunks below
 * `tx_count` only ever get the same ids again (the list grows at its end). The main item is read
 * before its chunks, so the chunks read are never older than the count.
 *
 * Every item carries `ttl` = 30 days after the record was made, so a queue's history does not
 * grow without end (SQS itself lists only a queue's last 10 move tasks). A record's chunks expire
 * with it: their ttl is computed from the same creation time.
 *
 * Nullable fields are stored as the NULL type (never left out), so `attribute_type(x, NULL)` is
 * the one test of "not set" (setStarted). A message-move record has NULL in every selected-run
 * attribute, so no status condition can match it.
 */
const PK = (id: string) => `redrive#${id}`;
const SK = 'redrive';
const CHUNK_SK = 'moved#';
const chunkSk = (index: number) => `${CHUNK_SK}${padded(index, 4)}`;
/** 1,000 ids of 40 characters make a chunk of about 41 KB; ids would need ~400 bytes each to fill one. */
export const TX_PER_CHUNK = 1_000;
const RETENTION_S = 30 * 24 * 3_600;
const gsi1 = consoleTableKeys.state.gsi1;

const ttlOf = (createdAtMs: number) => Math.floor(createdAtMs / 1000) + RETENTION_S;
/** Creation times remembered per process (see createdAtOf); a runner needs only its own runs'. */
const CREATED_CACHE_MAX = 1_000;

interface Item {
  pk: string;
  sk: string;
  gsi1pk: string;
  gsi1sk: string;
  ttl: number;
  id: string;
  queue_id: string;
  source_arn: string;
  region: string;
  created_at: number;
  started_by: string | null;
  started_at: number | null;
  requested_at: number | null;
  accepted_at: number | null;
  depth_before: number | null;
  status: StoredRedriveStatus | null;
  moved: number | null;
  total: number | null;
  rate: number | null;
  selection: 'selected' | 'classes' | null;
  class_ids: string[] | null;
  ended_at: number | null;
  failure_reason: string | null;
  heartbeat_at: number | null;
  hold_seconds: number | null;
  /** How many moved transaction ids of the chunks belong to the record. */
  tx_count: number | null;
}

interface ChunkItem {
  sk: string;
  tx: (string | null)[];
}

function itemOf(r: StoredRedrive): Item {
  const s = r.selected;
  return {
    pk: PK(r.id),
    sk: SK,
    gsi1pk: `redrives#${r.queueId}`,
    gsi1sk: `${padded(r.createdAtMs, 15)}#${r.id}`,
    ttl: ttlOf(r.createdAtMs),
    id: r.id,
    queue_id: r.queueId,
    source_arn: r.sourceArn,
    region: r.region,
    created_at: r.createdAtMs,
    started_by: r.startedBy,
    started_at: r.startedAtMs,
    requested_at: r.requestedAtMs,
    accepted_at: r.acceptedAtMs,
    depth_before: r.depthBefore,
    status: s?.status ?? null,
    moved: s?.moved ?? null,
    total: s?.total ?? null,
    rate: s?.rate ?? null,
    selection: s?.selection ?? null,
    class_ids: s?.classIds ?? null,
    ended_at: s?.endedAtMs ?? null,
    failure_reason: s?.failureReason ?? null,
    heartbeat_at: s?.heartbeatAtMs ?? null,
    hold_seconds: s?.holdSeconds ?? null,
    tx_count: s ? s.movedTransactions.length : null,
  };
}

function toRedrive(i: Item, movedTransactions: (string | null)[]): StoredRedrive {
  return {
    id: i.id,
    queueId: i.queue_id,
    sourceArn: i.source_arn,
    region: i.region,
    createdAtMs: i.created_at,
    startedBy: i.started_by ?? null,
    startedAtMs: i.started_at ?? null,
    requestedAtMs: i.requested_at ?? null,
    acceptedAtMs: i.accepted_at ?? null,
    depthBefore: i.depth_before ?? null,
    selected:
      i.status == null
        ? null
        : {
            status: i.status,
            moved: i.moved ?? 0,
            total: i.total ?? 0,
            rate: i.rate ?? null,
            selection: i.selection ?? 'selected',
            classIds: i.class_ids ?? null,
            endedAtMs: i.ended_at ?? null,
            failureReason: i.failure_reason ?? null,
            heartbeatAtMs: i.heartbeat_at ?? 0,
            holdSeconds: i.hold_seconds ?? null,
            movedTransactions,
          },
  };
}

const LIVE = '#status IN (:running, :cancelling)';
const LIVE_VALUES = { ':running': 'RUNNING', ':cancelling': 'CANCELLING' };

export class DynamoRedriveStore implements RedriveStore {
  private readonly createdAt = new Map<string, number>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The chunks holding the ids from `from` to the end, each written whole from `all`. */
  private async writeChunks(id: string, createdAtMs: number, all: readonly (string | null)[], from: number) {
    if (all.length === 0) return;
    const first = Math.floor(Math.max(0, Math.min(from, all.length - 1)) / TX_PER_CHUNK);
    const last = Math.floor((all.length - 1) / TX_PER_CHUNK);
    const writes: Promise<unknown>[] = [];
    for (let c = first; c <= last; c++) {
      const item = {
        pk: PK(id),
        sk: chunkSk(c),
        tx: all.slice(c * TX_PER_CHUNK, (c + 1) * TX_PER_CHUNK),
        ttl: ttlOf(createdAtMs),
      };
      writes.push(this.doc.send(new PutCommand({ TableName: this.table, Item: item })));
    }
    await Promise.all(writes);
  }

  /** The record's first `count` moved transaction ids, read after its main item. */
  private async readChunks(id: string, count: number | null): Promise<(string | null)[]> {
    if (!count) return [];
    const chunks = await queryAll<ChunkItem>(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :chunk)',
      ExpressionAttributeValues: { ':pk': PK(id), ':chunk': CHUNK_SK },
      ProjectionExpression: 'sk, tx',
      ConsistentRead: true,
    });
    // Query returns them in sk order, which is chunk order (fixed-width index).
    return chunks.flatMap((c) => c.tx).slice(0, count);
  }

  private async withChunks(item: Item): Promise<StoredRedrive> {
    return toRedrive(item, await this.readChunks(item.id, item.tx_count));
  }

  /** The main item, read consistently (and before its chunks: see the top of this file). */
  private async mainItem(id: string): Promise<Item | null> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: PK(id), sk: SK }, ConsistentRead: true }),
    );
    return (res.Item as Item | undefined) ?? null;
  }

  async create(record: StoredRedrive): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: itemOf(record),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) throw new Error(`redrives: a record ${record.id} exists already`);
      throw error;
    }
    this.remember(record.id, record.createdAtMs);
    // After the main item: a refused create must not touch the chunks of the record that exists.
    // Until they land a reader sees fewer ids than tx_count (a record made with ids is rare: a run
    // starts with none).
    if (record.selected) await this.writeChunks(record.id, record.createdAtMs, record.selected.movedTransactions, 0);
  }

  async get(id: string): Promise<StoredRedrive | null> {
    const item = await this.mainItem(id);
    return item ? this.withChunks(item) : null;
  }

  async summary(id: string): Promise<StoredRedriveSummary | null> {
    const item = await this.mainItem(id);
    return item ? summaryOf(toRedrive(item, [])) : null;
  }

  /** Newest first by gsi1sk: created time, then id, both descending. gsi1 is eventually consistent. */
  async recent(queueId: string, limit: number): Promise<StoredRedriveSummary[]> {
    if (limit <= 0) return [];
    const items: Item[] = [];
    const pages = queryPages<Item>(this.doc, {
      TableName: this.table,
      IndexName: gsi1.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': gsi1.partitionKey },
      ExpressionAttributeValues: { ':pk': `redrives#${queueId}` },
      ScanIndexForward: false,
      Limit: Math.min(limit, 500),
    });
    for await (const page of pages) {
      items.push(...page);
      if (items.length >= limit) break;
    }
    // No chunk reads: a listing needs no moved ids (get reads them for one redrive).
    return items.slice(0, limit).map((i) => summaryOf(toRedrive(i, [])));
  }

  async setStarted(id: string, startedAtMs: number): Promise<boolean> {
    const landed = await this.update(id, {
      UpdateExpression: 'SET #started = :started',
      ConditionExpression: 'attribute_exists(pk) AND attribute_type(#started, :null)',
      ExpressionAttributeNames: { '#started': 'started_at' },
      ExpressionAttributeValues: { ':started': startedAtMs, ':null': 'NULL' },
    });
    return landed !== null;
  }

  async progress(id: string, p: RedriveProgress): Promise<StoredRedrive | null> {
    const created = await this.createdAtOf(id);
    if (created === null) return null;
    await this.writeChunks(id, created, p.movedTransactions, p.changedFrom);
    const hold = p.holdSeconds === undefined ? '' : ', #hold = :hold';
    const item = await this.update(id, {
      UpdateExpression: `SET #moved = :moved, #heartbeat = :heartbeat, #count = :count${hold}`,
      ConditionExpression: LIVE,
      ExpressionAttributeNames: {
        '#status': 'status',
        '#moved': 'moved',
        '#heartbeat': 'heartbeat_at',
        '#count': 'tx_count',
        ...(p.holdSeconds === undefined ? {} : { '#hold': 'hold_seconds' }),
      },
      ExpressionAttributeValues: {
        ...LIVE_VALUES,
        ':moved': p.moved,
        ':heartbeat': p.heartbeatAtMs,
        ':count': p.movedTransactions.length,
        ...(p.holdSeconds === undefined ? {} : { ':hold': p.holdSeconds }),
      },
    });
    return item ? toRedrive(item, [...p.movedTransactions]) : null;
  }

  async finish(id: string, f: RedriveFinish): Promise<boolean> {
    const created = await this.createdAtOf(id);
    if (created === null) return false;
    await this.writeChunks(id, created, f.movedTransactions, f.changedFrom);
    const item = await this.update(id, {
      UpdateExpression: 'SET #status = :status, #moved = :moved, #ended = :ended, #reason = :reason, #count = :count',
      ConditionExpression: LIVE,
      ExpressionAttributeNames: {
        '#status': 'status',
        '#moved': 'moved',
        '#ended': 'ended_at',
        '#reason': 'failure_reason',
        '#count': 'tx_count',
      },
      ExpressionAttributeValues: {
        ...LIVE_VALUES,
        ':status': f.status,
        ':moved': f.moved,
        ':ended': f.endedAtMs,
        ':reason': f.failureReason,
        ':count': f.movedTransactions.length,
      },
    });
    this.createdAt.delete(id);
    return item !== null;
  }

  async requestCancel(id: string): Promise<StoredRedrive | null> {
    const item = await this.update(id, {
      UpdateExpression: 'SET #status = :cancelling',
      ConditionExpression: '#status = :running',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: LIVE_VALUES,
    });
    return item ? this.withChunks(item) : null;
  }

  async abandon(id: string, staleBefore: number, endedAtMs: number, failureReason: string): Promise<boolean> {
    const item = await this.update(id, {
      UpdateExpression: 'SET #status = :failed, #ended = :ended, #reason = :reason',
      ConditionExpression: `${LIVE} AND #heartbeat <= :stale`,
      ExpressionAttributeNames: {
        '#status': 'status',
        '#ended': 'ended_at',
        '#reason': 'failure_reason',
        '#heartbeat': 'heartbeat_at',
      },
      ExpressionAttributeValues: {
        ...LIVE_VALUES,
        ':failed': 'FAILED',
        ':ended': endedAtMs,
        ':reason': failureReason,
        ':stale': staleBefore,
      },
    });
    return item !== null;
  }

  /**
   * The creation time the chunks' ttl comes from (the record's, so they expire with it); null if
   * there is no record. The port does not pass it to progress and finish; the runner is the task
   * that created the run, so it is almost always remembered from create, else read once.
   */
  private async createdAtOf(id: string): Promise<number | null> {
    const known = this.createdAt.get(id);
    if (known !== undefined) return known;
    const res = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: PK(id), sk: SK },
        ProjectionExpression: 'created_at',
        ConsistentRead: true,
      }),
    );
    const createdAtMs = res.Item?.created_at as number | undefined;
    if (createdAtMs === undefined) return null;
    this.remember(id, createdAtMs);
    return createdAtMs;
  }

  private remember(id: string, createdAtMs: number): void {
    // Oldest first out (a Map iterates in insertion order): runs end long before 1,000 newer ones start.
    if (this.createdAt.size >= CREATED_CACHE_MAX) this.createdAt.delete(this.createdAt.keys().next().value!);
    this.createdAt.set(id, createdAtMs);
  }

  /** One conditional UpdateItem of the main item: the item after it, or null when its condition refused it. */
  private async update(
    id: string,
    input: Omit<UpdateCommandInput, 'TableName' | 'Key' | 'ReturnValues'>,
  ): Promise<Item | null> {
    try {
      const res = await this.doc.send(
        new UpdateCommand({ ...input, TableName: this.table, Key: { pk: PK(id), sk: SK }, ReturnValues: 'ALL_NEW' }),
      );
      return res.Attributes as Item;
    } catch (error) {
      if (isConditionFailed(error)) return null;
      throw error;
    }
  }
}
