/** Helpers for the embedded platform's tests: a fresh engine in a temporary directory. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from './engine';
import type { EngineOptions } from './engine-options';

export function tempDataDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ledgerline-${label}-`));
}

export function removeDataDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** The data directory an engine runs in (its database file's folder). */
export function dataDirOf(engine: Engine): string {
  return path.dirname(engine.db.name);
}

/** A started engine (not looping) with fast retries, in its own temporary directory. */
export async function startTestEngine(label: string, opts: Partial<EngineOptions> = {}): Promise<Engine> {
  const engine = new Engine({
    dataDir: tempDataDir(label),
    retryTimeScale: 0.001,
    failureRetryDelayMs: 0,
    seed: false,
    traffic: { rate: 0 },
    ...opts,
  });
  await engine.start();
  return engine;
}

/** Ticks the engine (no generated traffic) until `done()` or the timeout. */
export async function tickUntil(
  engine: Engine,
  done: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('condition not reached before the timeout');
    const busy = await engine.tick({ generate: false });
    if (!busy) await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Publishes `n` TransactionSubmitted events (`tx-<tag>-<i>`) in one engine transaction; `poison`
 * makes each one a message the processor rejects (no toAccount).
 */
export function putTransactions(engine: Engine, tag: string, n: number, poison: boolean) {
  const time = new Date(engine.now()).toISOString();
  const events = Array.from({ length: n }, (_, i) => ({
    version: '0',
    id: `ev-${tag}-${i}`,
    source: 'transaction.processing',
    'detail-type': 'TransactionSubmitted',
    time,
    detail: {
      transactionId: `tx-${tag}-${i}`,
      fromAccount: 'acct-0001',
      ...(poison ? {} : { toAccount: 'acct-0002' }),
      amount: 100 + i,
      currency: 'USD',
      createdAt: time,
    },
  }));
  return engine.tx(() => engine.putEvents(events));
}
