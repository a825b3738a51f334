/** The engine's options (Engine's constructor) and their defaults. */
import type { TrafficKnobs } from './traffic.schema';

export interface EngineOptions {
  dataDir: string;
  /** Clock (epoch ms); tests and seeding move it. */
  clock?: () => number;
  /** Processor batch size (messages per SQLite transaction). */
  batchSize?: number;
  /**
   * Visibility timeout of a received message (seconds). When absent it follows the
   * visibility-timeout policy from the observed batch processing time p99 (re-evaluated each flush).
   */
  visibilityTimeoutSeconds?: number;
  /** After a failed message: visible again after this many ms (ChangeMessageVisibility). */
  failureRetryDelayMs?: number;
  /** Multiplies the saga's retry backoff (1 = the definition's seconds). */
  retryTimeScale?: number;
  /** Knobs to apply at start (override the stored ones). */
  traffic?: Partial<TrafficKnobs>;
  /** Seed accounts and history on an empty database (default true). */
  seed?: boolean;
  /** Number of regular accounts to create on an empty database. */
  accounts?: number;
  /** How long the downstream circuit breaker stays open (ms, default 5000). */
  breakerOpenMs?: number;
  /** Keep ingest-to-ledger latencies in memory (benches). */
  trackLatency?: boolean;
  /**
   * Checkpoint the WAL from a background thread (see checkpointer.ts) instead of inside the
   * engine's COMMITs. The engine process and the benches turn it on; default off (tests).
   */
  backgroundCheckpoint?: boolean;
  log?: (line: string) => void;
}

/** The engine's options with their defaults applied. */
export interface ResolvedEngineOptions {
  dataDir: string;
  batchSize: number;
  visibilityTimeoutSeconds: number | undefined;
  failureRetryDelayMs: number;
  retryTimeScale: number;
  seed: boolean;
  accounts: number;
  trackLatency: boolean;
  backgroundCheckpoint: boolean;
  breakerOpenMs: number;
  traffic: Partial<TrafficKnobs> | undefined;
  log: ((line: string) => void) | undefined;
}

export function resolveEngineOptions(options: EngineOptions): ResolvedEngineOptions {
  return {
    dataDir: options.dataDir,
    batchSize: options.batchSize ?? 500,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    failureRetryDelayMs: options.failureRetryDelayMs ?? 1000,
    retryTimeScale: options.retryTimeScale ?? 1,
    seed: options.seed ?? true,
    accounts: options.accounts ?? 200,
    trackLatency: options.trackLatency ?? false,
    backgroundCheckpoint: options.backgroundCheckpoint ?? false,
    breakerOpenMs: options.breakerOpenMs ?? 5_000,
    traffic: options.traffic,
    log: options.log,
  };
}
