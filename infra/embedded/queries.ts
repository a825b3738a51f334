/** Cheap reads shared by the engine (metric gauges) and the adapter (queue stats). */
import type { Db } from './db';

export interface QueueStatsRow {
  visible: number;
  inFlight: number;
  oldestAgeSeconds: number;
}

export function makeQueueStats(db: Db) {
  const total = db.prepare<[string], { total: number }>('SELECT total FROM queue_counts WHERE queue = ?');
  const inflight = db.prepare<[string, number], { n: number }>(
    'SELECT count(*) AS n FROM messages WHERE queue = ? AND visible_at > ?',
  );
  const oldest = db.prepare<[string], { t: number | null }>(
    'SELECT min(enqueued_at) AS t FROM messages WHERE queue = ?',
  );
  return (queue: string, now: number): QueueStatsRow => {
    const all = total.get(queue)?.total ?? 0;
    const inFlight = all === 0 ? 0 : (inflight.get(queue, now)?.n ?? 0);
    const t = all === 0 ? null : (oldest.get(queue)?.t ?? null);
    return {
      visible: Math.max(0, all - inFlight),
      inFlight,
      oldestAgeSeconds: t === null ? 0 : Math.max(0, Math.round((now - t) / 1000)),
    };
  };
}
