import 'server-only';
import type { Freshness } from '../platform.schema';
import { PlatformError } from '../port';
import { mapAwsError } from './errors';

/**
 * The AWS read model's single-flight cache (one per region's adapter). During an incident everyone
 * opens the console: fifty pollers must cost about what one costs. A read is keyed by
 * (region, ROLE, service, command, input): callers of one role share a result, because they read
 * with the same IAM role; another role never gets it (it might not be allowed to read it).
 * - Concurrent identical reads share one in-flight call.
 * - A result is kept for its kind's TTL (READ_TTL_MS), counted from the start of the port call that
 *   read it (`ReadScope.since`; else from its own call): the reads of one overview poll expire
 *   together, so a lone poller refetches all of them at its next poll.
 * - A throttled read (ThrottlingException, RequestLimitExceeded, TooManyRequestsException, SQS
 *   OverLimit, HTTP 429...: whatever errors.ts maps to Throttled) answers the last good value of
 *   the same key, if it is at most MAX_STALE_MS old, marked stale with its time (`onStale`), so the
 *   console shows "data as of HH:MM:SS" instead of an error.
 * - Writes are never cached; a write (any command of a service that is not a read, see
 *   read-cache-clients.ts) invalidates every cached read of that service in the region, for every
 *   role, and a read in flight while it ran is not kept.
 */

export type ReadKind = 'alarms' | 'queues' | 'metrics' | 'executions' | 'platform' | 'progress';

/**
 * Time to live by kind, ms (counted as above). Just under the overview's 5 s poll
 * (components/live/poll.ts), with room for a poll that starts late, for everything the overview
 * reads: one poller refetches at each poll and any number of pollers share one fetch per poll
 * period. Alarms (a state changes at most once per 60 s evaluation), queue attributes and metric
 * data (SQS's approximate counts and the 1-minute datapoints are eventually consistent over about
 * a minute), executions lists, descriptions and histories, and redrive and replay progress
 * (`progress`: message-move tasks at ≤ 500 msg/s, replays in 1-minute slices): 4.7 s. The bus,
 * endpoint and archive descriptions (`platform`: region health, archive size): 10 s. A write
 * invalidates its service's reads at once, whatever their TTL.
 */
export const READ_TTL_MS: Record<ReadKind, number> = {
  alarms: 4_700,
  queues: 4_700,
  metrics: 4_700,
  executions: 4_700,
  platform: 10_000,
  progress: 4_700,
};

/** How old a last good value may be and still answer a throttled read. */
export const MAX_STALE_MS = 10 * 60_000;

/** A window ending this close to now is "live": pollers asking for the last N minutes share it. */
const LIVE_WINDOW_MS = 60_000;

export interface ReadScope {
  region: string;
  role: string;
  /** When the port call reading through this scope started (a poll's moment). */
  since?: number;
}

interface Entry {
  /** Generation of its service when the call was sent. */
  gen: number;
  inflight?: Promise<{ value: unknown; at: number; stale: boolean }>;
  /** Last good value, and when its call was sent. */
  value?: unknown;
  at?: number;
  /** False once a write invalidated it: only a throttled read may still get it (stale). */
  fresh?: boolean;
}

export interface ReadCacheStats {
  calls: number;
  hits: number;
  joined: number;
  stale: number;
}

export interface ReadCacheOptions {
  now?: () => number;
  ttlMs?: Partial<Record<ReadKind, number>>;
  maxEntries?: number;
}

function stableJson(value: unknown, now: number): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => stableJson(v, now)).join(',')}]`;
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const start = o.StartTime;
    const end = o.EndTime;
    // GetMetricData over "the last N minutes": pollers' windows differ by milliseconds.
    const live =
      start instanceof Date && end instanceof Date && Math.abs(end.getTime() - now) <= LIVE_WINDOW_MS
        ? { EndTime: 'now', StartTime: `now-${Math.round((end.getTime() - start.getTime()) / 1000)}s` }
        : {};
    const merged: Record<string, unknown> = { ...o, ...live };
    return `{${Object.keys(merged)
      .filter((k) => merged[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(merged[k], now)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function isThrottled(error: unknown): boolean {
  const mapped = mapAwsError(error, 'read');
  return mapped instanceof PlatformError && mapped.code === 'Throttled';
}

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly generations = new Map<string, number>();
  private readonly now: () => number;
  private readonly ttl: Record<ReadKind, number>;
  private readonly maxEntries: number;
  readonly stats: ReadCacheStats = { calls: 0, hits: 0, joined: 0, stale: 0 };

  constructor(options: ReadCacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.ttl = { ...READ_TTL_MS, ...options.ttlMs };
    this.maxEntries = options.maxEntries ?? 5_000;
  }

  private generation(region: string, service: string): number {
    return this.generations.get(`${region}\u0000${service}`) ?? 0;
  }

  /**
   * The value of a read: cached, joined, or fetched by `fetch`. `onStale(asOfMs)` is called when
   * the answer is a last good value served because AWS throttled the read.
   */
  async read<T>(
    scope: ReadScope,
    service: string,
    kind: ReadKind,
    request: { command: string; input: unknown },
    fetch: () => Promise<T>,
    onStale?: (asOfMs: number) => void,
  ): Promise<T> {
    const now = this.now();
    const key = `${scope.region}\u0000${scope.role}\u0000${service}\u0000${request.command}\u0000${stableJson(request.input, now)}`;
    const gen = this.generation(scope.region, service);
    let entry = this.entries.get(key);
    if (entry && entry.fresh && entry.gen === gen && entry.at !== undefined && now - entry.at < this.ttl[kind]) {
      this.stats.hits++;
      this.touch(key, entry);
      return entry.value as T;
    }
    if (entry?.inflight && entry.gen === gen) {
      this.stats.joined++;
      const shared = await entry.inflight;
      if (shared.stale) onStale?.(shared.at);
      return shared.value as T;
    }
    entry ??= {} as Entry;
    const target = entry;
    target.gen = gen;
    this.stats.calls++;
    const inflight = (async () => {
      try {
        const value = await fetch();
        return { value: value as unknown, at: Math.min(now, scope.since ?? now), stale: false };
      } catch (error) {
        const last = target.at;
        if (target.value === undefined || last === undefined || this.now() - last > MAX_STALE_MS || !isThrottled(error))
          throw error;
        this.stats.stale++;
        return { value: target.value, at: last, stale: true };
      }
    })();
    target.inflight = inflight;
    this.touch(key, target);
    try {
      const result = await inflight;
      // Kept only if no write of its service ran meanwhile, and not older than what is there.
      if (!result.stale && this.generation(scope.region, service) === gen && (target.at ?? -1) <= result.at) {
        target.value = result.value;
        target.at = result.at;
        target.fresh = true;
      }
      if (result.stale) onStale?.(result.at);
      return result.value as T;
    } finally {
      if (target.inflight === inflight) target.inflight = undefined;
    }
  }

  /** A write of `service` in `region` ran (or may have): its reads are no longer fresh, for every role. */
  invalidate(region: string, service: string): void {
    this.generations.set(`${region}\u0000${service}`, this.generation(region, service) + 1);
    const prefix = `${region}\u0000`;
    for (const [key, entry] of this.entries) {
      if (key.startsWith(prefix) && key.split('\u0000')[2] === service) entry.fresh = false;
    }
  }

  size(): number {
    return this.entries.size;
  }

  private touch(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}

/**
 * A read result marked as answered from data as of `asOfMs` (Freshness, platform.schema.ts): each
 * object of a list, or the object (a page, a DTO). Other values are returned as they are.
 */
export function withFreshness<T>(result: T, asOfMs: number): T {
  const freshness: Freshness = { stale: true, asOf: new Date(asOfMs).toISOString() };
  if (Array.isArray(result))
    return result.map((item: unknown) => (item && typeof item === 'object' ? { ...item, freshness } : item)) as T;
  if (result && typeof result === 'object') return { ...result, freshness };
  return result;
}
