/**
 * What "the platform's state and the audit log are unchanged" means, read through the console's
 * read APIs only (GET): the audit log's newest entries, the queues' depths, the processing
 * DLQ's messages, the newest sagas and their statuses, redrives, replays and approvals. Values
 * that move with the clock alone (ages, times, series) are left out.
 */
import type { APIRequestContext } from '@playwright/test';

const paths = {
  audit: '/api/audit?limit=200',
  queues: '/api/platform/queues',
  deadLetters: '/api/platform/queues/processing/dead-letters',
  sagas: '/api/platform/sagas?range=7d&limit=50',
  redrives: '/api/platform/redrives',
  replays: '/api/platform/replays',
  approvals: '/api/approvals',
} as const;
export type Snapshot = Record<keyof typeof paths, unknown>;

const CLOCK_KEYS = /age|series|updated|since|^now$|rate|progress|evaluat/i;

/** Drops clock-driven fields, recursively. */
export function withoutClock(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutClock);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !CLOCK_KEYS.test(k))
        .map(([k, v]) => [k, withoutClock(v)]),
    );
  return value;
}

export async function snapshot(request: APIRequestContext): Promise<Snapshot> {
  const out = {} as Snapshot;
  for (const [name, path] of Object.entries(paths) as [keyof typeof paths, string][]) {
    const r = await request.get(path);
    if (!r.ok()) throw new Error(`GET ${path}: HTTP ${r.status()}`);
    out[name] = withoutClock(await r.json());
  }
  return out;
}
