/**
 * What "the platform's state and the audit log are unchanged" means, read through the console's
 * read APIs only (GET): the audit log's newest entries, the dead-letter queues' depths, the
 * processing DLQ's messages, the sagas that had settled before the run and their statuses,
 * redrives, replays and approvals. The embedded platform keeps its synthetic traffic running
 * during the run, so what that traffic alone moves is left out: the source queues' depths and
 * the sagas started in the last SETTLED_MS before the "before" snapshot (still running then)
 * or after it. Values that move with the clock alone (ages, times, series) are left out too.
 */
import type { APIRequestContext } from '@playwright/test';

const paths = {
  audit: '/api/audit?limit=200',
  queues: '/api/platform/queues',
  deadLetters: '/api/platform/queues/processing/dead-letters',
  sagas: '/api/platform/sagas?limit=50',
  redrives: '/api/platform/redrives',
  replays: '/api/platform/replays',
  approvals: '/api/approvals',
} as const;
export type Snapshot = Record<keyof typeof paths, unknown>;

/** A saga started this long before the "before" snapshot has settled (retries included). */
const SETTLED_MS = 5 * 60_000;
const WEEK_MS = 7 * 86_400_000;

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

interface QueuePairRow {
  id: string;
  dlq: { visible: number; inFlight: number };
}

/** The part of a response the run could have changed (see the header). */
function stable(name: keyof typeof paths, body: unknown): unknown {
  if (name !== 'queues') return withoutClock(body);
  const pairs = (Array.isArray(body) ? body : (body as { items: QueuePairRow[] }).items) as QueuePairRow[];
  return pairs.map((q) => ({ id: q.id, deadLetters: q.dlq.visible + q.dlq.inFlight }));
}

/**
 * The state read at `asOf` (ISO): the "before" snapshot takes the time it runs at and records it,
 * the "after" one passes that same time so both read the same sagas window.
 */
export async function snapshot(request: APIRequestContext, asOf: string): Promise<Snapshot> {
  const at = Date.parse(asOf);
  const window = `&from=${new Date(at - WEEK_MS).toISOString()}&to=${new Date(at - SETTLED_MS).toISOString()}`;
  const out = {} as Snapshot;
  for (const [name, path] of Object.entries(paths) as [keyof typeof paths, string][]) {
    const url = name === 'sagas' ? `${path}${window}` : path;
    const r = await request.get(url);
    if (!r.ok()) throw new Error(`GET ${url}: HTTP ${r.status()}`);
    out[name] = stable(name, await r.json());
  }
  return out;
}
