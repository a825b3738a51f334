/**
 * Crash-safety harness (bench/crash.ts and crash.test.ts): runs the engine as a child process
 * (`node --import tsx infra/embedded/main.ts`), feeds it transactions from outside
 * through the inbox table, SIGKILLs it at random moments under load, restarts it, then drains
 * and reconciles: every accepted transaction must end exactly once, none lost, none doubled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transactionEnvelope } from '@/infra/runtime/transaction';
import { openDatabase, type Db } from './db';
import { reconcile, type Reconciliation } from './reconcile';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENGINE_ENTRY = 'infra/embedded/main.ts';

export interface CrashOptions {
  dataDir: string;
  kills: number;
  /** Transactions offered per second by the external producer. */
  rate?: number;
  /** Random run time before each kill (ms). */
  minRunMs?: number;
  maxRunMs?: number;
  drainTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface CrashResult {
  kills: number;
  accepted: number;
  applied: number;
  duplicates: number;
  lost: number;
  seconds: number;
  reconciliation: Reconciliation;
}

function startEngine(dataDir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        ENGINE_ENTRY,
        '--data-dir',
        dataDir,
        '--rate',
        '0',
        '--no-seed',
        '--quiet',
        '--visibility-timeout',
        '2',
      ],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        env: { ...process.env, LEDGERLINE_OUTAGE_STEP: 'none' },
      },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('message', () => resolve(child));
    child.once('exit', (code, signal) =>
      reject(new Error(`engine exited before it was ready (code ${code}, signal ${signal}): ${stderr.slice(-2000)}`)),
    );
  });
}

function waitExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runCrashTest(opts: CrashOptions): Promise<CrashResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const rate = opts.rate ?? 1000;
  // First start creates the schema and the accounts.
  let child = await startEngine(opts.dataDir);
  const db: Db = openDatabase(opts.dataDir);
  const insert = db.prepare('INSERT INTO inbox (body, created_at) VALUES (?, ?)');
  const accounts = db
    .prepare<[], { id: string }>("SELECT id FROM accounts WHERE id NOT LIKE 'acct-low-%'")
    .all()
    .map((a) => a.id);
  const low = db
    .prepare<[], { id: string }>("SELECT id FROM accounts WHERE id LIKE 'acct-low-%'")
    .all()
    .map((a) => a.id);
  const accepted = new Set<string>();
  let producing = true;
  const produce = (async () => {
    let i = 0;
    while (producing) {
      const n = Math.max(1, Math.round(rate / 20));
      const time = new Date().toISOString();
      const batch: string[] = [];
      const ids: string[] = [];
      for (let k = 0; k < n; k++, i++) {
        const insufficient = i % 10 === 0;
        const from = insufficient ? low[i % low.length]! : accounts[i % accounts.length]!;
        const to = accounts[(i * 7 + 3) % accounts.length]!;
        const id = `crash-${i}`;
        const env = transactionEnvelope(
          randomUUID(),
          {
            transactionId: id,
            fromAccount: from,
            toAccount: to === from ? accounts[(i + 1) % accounts.length]! : to,
            amount: insufficient ? 5_000_000 : 100 + (i % 5000),
            currency: 'USD',
            createdAt: time,
          },
          time,
        );
        batch.push(JSON.stringify(env));
        ids.push(id);
        // Producer retries: every 25th transaction is sent twice (same transaction id, new event id).
        if (i % 25 === 0) batch.push(JSON.stringify({ ...env, id: randomUUID() }));
      }
      try {
        db.transaction(() => {
          for (const b of batch) insert.run(b, Date.now());
        }).immediate();
        for (const id of ids) accepted.add(id); // accepted once the hand-off committed
      } catch (e) {
        if (!(e instanceof Error && /SQLITE_BUSY|database is locked/.test(e.message))) throw e;
      }
      await sleep(50);
    }
  })();

  let kills = 0;
  try {
    for (; kills < opts.kills;) {
      const runFor = (opts.minRunMs ?? 300) + Math.random() * ((opts.maxRunMs ?? 1500) - (opts.minRunMs ?? 300));
      await sleep(runFor);
      child.kill('SIGKILL');
      await waitExit(child);
      kills++;
      log(`kill ${kills}/${opts.kills} after ${Math.round(runFor)} ms (accepted so far ${accepted.size})`);
      child = await startEngine(opts.dataDir);
    }
  } finally {
    producing = false;
    await produce;
  }
  // Drain: the engine runs until the inbox and the queue are empty and no saga waits for a retry.
  const deadline = Date.now() + (opts.drainTimeoutMs ?? 120_000);
  const pending = db.prepare<[], { n: number }>(
    "SELECT (SELECT count(*) FROM inbox) + (SELECT count(*) FROM messages WHERE queue = 'processing') + (SELECT count(*) FROM sagas WHERE next_run_at IS NOT NULL) AS n",
  );
  while (pending.get()!.n > 0) {
    if (Date.now() > deadline) throw new Error(`crash test: drain timed out with ${pending.get()!.n} items pending`);
    await sleep(100);
  }
  child.kill('SIGTERM');
  await waitExit(child);
  if (child.exitCode !== 0)
    throw new Error(`engine did not exit cleanly on SIGTERM (code ${child.exitCode}, signal ${child.signalCode})`);

  const r = reconcile(db);
  const sagaIds = new Set(
    db
      .prepare<[], { id: string }>("SELECT id FROM sagas WHERE status IN ('SUCCEEDED', 'COMPENSATED')")
      .all()
      .map((s) => s.id),
  );
  let lost = 0;
  for (const id of accepted) if (!sagaIds.has(id)) lost++;
  const sagaRows = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM sagas').get()!.n;
  const duplicates =
    r.accountsMismatched +
    r.heldMismatched +
    r.inconsistent +
    r.orphanEffects +
    Math.max(0, sagaRows - accepted.size) +
    (r.balanced ? 0 : 1);
  db.close();
  return {
    kills,
    accepted: accepted.size,
    applied: sagaIds.size,
    duplicates,
    lost,
    seconds: (Date.now() - t0) / 1000,
    reconciliation: r,
  };
}
