import 'server-only';
import { primaryRegion } from '@/infra/platform/description';
import { openDatabase, type Db } from '../../../infra/embedded/db';

export interface LocalPlatformOptions {
  dataDir: string;
  region?: string;
  /** Clock override (tests). */
  clock?: () => number;
}

/**
 * What every resource module of the local adapter shares: its own connection to the embedded
 * platform's database, the region it reports, its clock and the statements several modules read.
 * Each resource module prepares its own statements once, when the adapter is created.
 */
export interface LocalContext {
  readonly db: Db;
  readonly region: string;
  readonly now: () => number;
  /** A value of the engine's `meta` table (heartbeat, expected_total). */
  readonly meta: (key: string) => string | undefined;
  /** Runs `fn` in a write transaction taken at once (BEGIN IMMEDIATE). */
  readonly immediate: <T>(fn: () => T) => T;
}

export function createLocalContext(opts: LocalPlatformOptions): LocalContext {
  const db = openDatabase(opts.dataDir);
  const meta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  return {
    db,
    region: opts.region ?? primaryRegion,
    now: opts.clock ?? Date.now,
    meta: (key) => meta.get(key)?.value,
    immediate: (fn) => db.transaction(fn).immediate(),
  };
}

export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
