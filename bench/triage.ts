/**
 * Dead-letter triage over 100,000 dead letters: `npm run bench -- triage [--messages 100000]
 * [--queries 200]`.
 *
 * Both backends hold the same 100,000 dead letters of the processing DLQ in a realistic mix of
 * failures (a processor outage, throttling, several kinds of poison, claim conflicts; every message
 * with its own transaction id, amounts and positions in the error text), each classified by
 * infra/runtime/failure-class.ts:
 * - embedded: a fresh engine database, the messages dead-lettered with the engine's own failure
 *   index writer (infra/embedded/failure-index.ts), read through the local adapter;
 * - aws: the failure index table on dynalite (a DynamoDB-compatible server in this process, on disk), items
 *   written with the processor's own requests (infra/runtime/failure-class-index.ts), read through
 *   the aws adapter (server/platform/aws/failure-index.ts).
 * Measured per backend: `--queries` class listings (listFailureClasses) and as many searches by
 * transaction id (searchDeadLetters; 1 in 10 for an id that is not there). Writes
 * bench/results/triage.json: triage.classes.p95 and triage.search.p95 (ms), each the worse of the
 * two backends, both in extra. Target ≤ 100 ms. The server modules are server-only: the work runs
 * in a child `node --conditions=react-server --import tsx` (as the console-aws suite does).
 */
import { spawnSync } from 'node:child_process';
import type { AddressInfo, Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Caller } from '../server/auth/permissions.schema';
import type { Platform } from '../server/platform/port';
import { benchFlags } from './fixtures/flags';
import { benchLog, pct } from './fixtures/measure';
import { writeResults } from './results';

const log = benchLog('triage');
const self = fileURLToPath(import.meta.url);

interface BackendResult {
  classes: { p50: number; p95: number; count: number };
  search: { p50: number; p95: number; hits: number };
  loadSeconds: number;
}

/** The failure a dead letter `i` of the mix carries (`Name: message`, as both hosts record it). */
function failureOf(i: number): string {
  const tx = `tx-${String(i).padStart(7, '0')}`;
  const k = i % 20;
  if (k < 8)
    return 'ProcessorOutage: processor unavailable (outage injected): the message was not processed and will be retried';
  if (k < 10) return `ThrottlingException: Rate exceeded for StartExecution of ${tx} (request ${i * 7919})`;
  if (k < 13) return 'PoisonMessageError: detail.toAccount: required';
  const rest: Record<number, string> = {
    13: `PoisonMessageError: event is not valid JSON: Unexpected token } in JSON at position ${i % 977}`,
    14: `PoisonMessageError: detail.amount: must be an integer number of minor units, got ${i % 100}.${i % 97}`,
    15: `PoisonMessageError: transaction ${tx} already has a saga (${tx}) started with different content`,
    16: `ClaimConflictError: transaction ${tx} is being processed by another worker`,
    17: `PoisonMessageError: unknown detail-type "Transaction${i % 3}" (expected one of TransactionSubmitted, PaymentValidated)`,
    18: `PoisonMessageError: event is ${260_000 + (i % 5000)} bytes; the limit is 262144`,
  };
  return rest[k] ?? 'receive count 3 reached maxReceiveCount 3';
}
const txOf = (i: number) => `tx-${String(i).padStart(7, '0')}`;
const bodyOf = (i: number) =>
  JSON.stringify({
    version: '0',
    id: `ev-${i}`,
    source: 'transaction.processing',
    'detail-type': 'TransactionSubmitted',
    time: new Date(Date.UTC(2026, 11, 6, 10) + i).toISOString(),
    detail: {
      transactionId: txOf(i),
      fromAccount: `acct-${i % 500}`,
      toAccount: `acct-${(i + 1) % 500}`,
      amount: 100 + (i % 9000),
      currency: 'USD',
    },
  });

/** Times `n` calls of `fn(k)`, in ms, ascending. */
async function timed(n: number, fn: (k: number) => Promise<unknown>): Promise<number[]> {
  const { performance } = await import('node:perf_hooks');
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    await fn(k);
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

async function measure(
  platform: Pick<Platform, 'listFailureClasses' | 'searchDeadLetters'>,
  messages: number,
  queries: number,
  loadSeconds: number,
): Promise<BackendResult> {
  const caller: Caller = { id: 'bench-viewer', name: 'Bench viewer', role: 'viewer' };
  let count = 0;
  for (let k = 0; k < 10; k++) {
    // warm-up (statement caches, connections, JIT)
    await platform.listFailureClasses(caller, 'processing');
    await platform.searchDeadLetters(caller, 'processing', txOf(k));
  }
  const classes = await timed(queries, async () => {
    count = (await platform.listFailureClasses(caller, 'processing')).length;
  });
  let hits = 0;
  const search = await timed(queries, async (k) => {
    const id = k % 10 === 9 ? `tx-missing-${k}` : txOf((k * 7_919) % messages);
    hits += (await platform.searchDeadLetters(caller, 'processing', id)).length;
  });
  return {
    classes: { p50: pct(classes, 50), p95: pct(classes, 95), count },
    search: { p50: pct(search, 50), p95: pct(search, 95), hits },
    loadSeconds,
  };
}

async function embedded(messages: number, queries: number): Promise<BackendResult> {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { openDatabase, dlqOf } = await import('../infra/embedded/db');
  const { FailureIndex } = await import('../infra/embedded/failure-index');
  const { createLocalPlatform } = await import('../server/platform/local/adapter');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-bench-triage-'));
  try {
    const t0 = Date.now();
    const db = openDatabase(dir);
    const index = new FailureIndex(db);
    const dlq = dlqOf('processing');
    const insert = db.prepare(
      `INSERT INTO messages (queue, body, attributes, transaction_id, sent_at, enqueued_at, visible_at, receive_count, last_error, source_queue, dead, ingest_at)
       VALUES (?, ?, '{}', ?, ?, ?, ?, 3, ?, 'processing', 1, ?)`,
    );
    const base = Date.now() - messages;
    for (let from = 0; from < messages; from += 10_000) {
      db.transaction(() => {
        for (let i = from; i < Math.min(messages, from + 10_000); i++) {
          const at = base + i;
          const error = failureOf(i);
          const id = Number(insert.run(dlq, bodyOf(i), txOf(i), at, at, at, error, at).lastInsertRowid);
          index.record(id, 'processing', txOf(i), error, at);
        }
      })();
    }
    db.prepare('INSERT INTO queue_counts (queue, total) VALUES (?, ?)').run(dlq, messages);
    db.close();
    const loadSeconds = (Date.now() - t0) / 1000;
    const platform = createLocalPlatform({ dataDir: dir, clock: Date.now });
    return await measure(platform, messages, queries, loadSeconds);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function aws(messages: number, queries: number): Promise<BackendResult> {
  const { createRequire } = await import('node:module');
  const ddbMod = await import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
  const { failureIndexRequests } = await import('../infra/runtime/failure-class-index');
  const { createAwsPlatform } = await import('../server/platform/aws/adapter');
  const { tempRedriveStore } = await import('../server/db/testing/temp-redrive-store');
  const { failureIndexTableInput } = await import('../server/platform/aws/failure-index');
  const { fakeStackConfig } = await import('../server/platform/aws/contract-fake-config');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dynalite = createRequire(import.meta.url)('dynalite') as (o: {
    createTableMs: number;
    path?: string;
  }) => Server;
  // On disk (LevelDB), not in this process's heap: 300,000 items (entries and their two GSIs) in
  // memory would put the queries at the mercy of this process's garbage collector.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledgerline-bench-dynalite-'));
  const server = dynalite({ createTableMs: 0, path: dir });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientConfig = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'k', secretAccessKey: 's' } };
  const raw = new ddbMod.DynamoDBClient(clientConfig);
  const table = 'ledgerline-bench-failure-index';
  const redriveStore = tempRedriveStore();
  try {
    const t0 = Date.now();
    await raw.send(new ddbMod.CreateTableCommand(failureIndexTableInput(table)));
    const base = Date.now() - messages;
    // Entries in batches of 25 (the processor's conditional puts, batched for the load only);
    // each class item from its first message's own update, then its count and last arrival.
    const classes = new Map<
      string,
      { first: ReturnType<typeof failureIndexRequests>['update']; n: number; last: number }
    >();
    let batch: { PutRequest: { Item: Record<string, never> } }[] = [];
    let inFlight: Promise<void>[] = [];
    const write = async (first: typeof batch) => {
      let items: typeof batch | undefined = first;
      while (items && items.length > 0) {
        const res = await raw.send(new ddbMod.BatchWriteItemCommand({ RequestItems: { [table]: items } }));
        items = res.UnprocessedItems?.[table] as typeof batch | undefined;
      }
    };
    // Up to 8 batches in flight (the load only; the measured queries run one at a time).
    const flush = async (last = false) => {
      if (batch.length > 0) inFlight.push(write(batch));
      batch = [];
      if (inFlight.length >= 8 || last) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    };
    const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    for (let i = 0; i < messages; i++) {
      const r = failureIndexRequests(table, {
        queueId: 'processing',
        messageId: uuid(i),
        body: bodyOf(i),
        error: failureOf(i),
        nowMs: base + i,
      });
      batch.push({ PutRequest: { Item: r.put.Item as unknown as Record<string, never> } });
      const c = classes.get(r.failureClass.classId);
      if (c) {
        c.n++;
        c.last = base + i;
      } else classes.set(r.failureClass.classId, { first: r.update, n: 1, last: base + i });
      if (batch.length === 25) await flush();
    }
    await flush(true);
    for (const c of classes.values()) {
      await raw.send(new ddbMod.UpdateItemCommand(c.first));
      await raw.send(
        new ddbMod.UpdateItemCommand({
          TableName: table,
          Key: c.first.Key,
          UpdateExpression: 'ADD #count :more SET lastSeen = :last',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: {
            ':more': { N: String(c.n - 1) },
            ':last': { S: new Date(c.last).toISOString() },
          },
        }),
      );
    }
    const loadSeconds = (Date.now() - t0) / 1000;
    // LevelDB compacts what the bulk load wrote in the background for a while; DynamoDB has no
    // such backlog a client would wait on: let it settle before measuring.
    await new Promise((r) => setTimeout(r, 30_000));
    // Only DynamoDB answers here: the triage reads make no other AWS call.
    const docs = DynamoDBDocumentClient.from(new ddbMod.DynamoDBClient(clientConfig));
    const platform = createAwsPlatform(
      { ...fakeStackConfig('staging', 'us-east-1'), failureIndexTable: table },
      { redriveStore, clientsFor: () => ({ dynamodb: docs }) as never },
    );
    return await measure(platform, messages, queries, loadSeconds);
  } finally {
    redriveStore.close();
    raw.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The child: measures both backends, prints one JSON line. */
async function worker(argv: string[]): Promise<void> {
  const flags = benchFlags(argv, {
    messages: { kind: 'count', default: 100_000 },
    queries: { kind: 'count', default: 200 },
  });
  const e = await embedded(flags.messages, flags.queries);
  const a = await aws(flags.messages, flags.queries);
  process.stdout.write(`${JSON.stringify({ ...flags, embedded: e, aws: a })}\n`);
}

export default function run(argv: string[]): Promise<void> {
  log('100,000 dead letters by default: class counts and search by transaction id, embedded and aws (dynalite)');
  const child = spawnSync(
    process.execPath,
    ['--conditions=react-server', '--import', 'tsx', self, '--worker', ...argv],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  if (child.status !== 0) throw new Error(`the triage worker failed (exit ${child.status})`);
  const r = JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as {
    messages: number;
    queries: number;
    embedded: BackendResult;
    aws: BackendResult;
  };
  for (const [name, b] of [
    ['embedded', r.embedded],
    ['aws (dynalite)', r.aws],
  ] as const)
    log(
      `${name}: loaded in ${b.loadSeconds.toFixed(1)} s; ${b.classes.count} classes p50 ${b.classes.p50.toFixed(2)} ms p95 ${b.classes.p95.toFixed(2)} ms; search p50 ${b.search.p50.toFixed(2)} ms p95 ${b.search.p95.toFixed(2)} ms (${b.search.hits} hits)`,
    );
  const extra = { messages: r.messages, queries: r.queries, target: '≤ 100 ms', embedded: r.embedded, aws: r.aws };
  const file = writeResults('triage', [
    { name: 'triage.classes.p95', unit: 'ms', value: Math.max(r.embedded.classes.p95, r.aws.classes.p95), extra },
    { name: 'triage.search.p95', unit: 'ms', value: Math.max(r.embedded.search.p95, r.aws.search.p95), extra },
  ]);
  log(`wrote ${file}`);
  return Promise.resolve();
}

if (process.argv[2] === '--worker') await worker(process.argv.slice(3));
