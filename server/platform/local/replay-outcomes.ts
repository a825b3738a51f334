import 'server-only';
import { parseTransactionEvent } from '@/infra/runtime/transaction';
import type { Db } from '../../../infra/embedded/db';
import { OUTCOME_SETTLE_MS } from '../../../infra/platform/limits';
import type { EventPatternFilter, Replay, ReplayClassification, TaskOutcome } from '../platform.schema';

/** A row of `replays` (the local adapter's replays.ts reads it too). */
export interface ReplayRow {
  seq: number;
  name: string;
  archive: string;
  state: Replay['state'];
  window_start: number;
  window_end: number;
  pattern: string | null;
  last_replayed_time: number | null;
  events_replayed: number;
  events_total: number | null;
  started_at: number;
  ended_at: number | null;
  started_by: string | null;
  state_reason: string | null;
}

/** The most events a preview classifies one by one (the most recent ones of a larger window). */
export const CLASSIFY_LIMIT = 100_000;

/**
 * The whole window by what the processor will do with each event, from the archive, the
 * idempotency records and the failure index (one pass, newest first): already applied (a live
 * COMPLETED record: the processor skips it), will dead-letter again (its transaction is in a DLQ
 * with a permanent failure class, or its body is poison to the processor's parser), will apply
 * (and, without a saga yet, start one). Past CLASSIFY_LIMIT events it says what it classified.
 */
export function classifyWindow(
  db: Db,
  where: string,
  params: (string | number)[],
  count: number,
  nowSec: number,
): ReplayClassification {
  const rows = db
    .prepare<
      (string | number)[],
      { transaction_id: string | null; body: string; applied: number; permanent: number; has_saga: number }
    >(
      `SELECT a.transaction_id, a.body,
         coalesce(i.status = 'COMPLETED' AND i.expiry_time >= ?, 0) AS applied,
         EXISTS (SELECT 1 FROM failure_index f WHERE f.transaction_id = a.transaction_id AND f.verdict = 'permanent') AS permanent,
         EXISTS (SELECT 1 FROM sagas s WHERE s.id = a.transaction_id) AS has_saga
       FROM (SELECT transaction_id, body, time, seq FROM archive WHERE ${where} ORDER BY time DESC, seq DESC LIMIT ?) a
       LEFT JOIN idempotency i ON i.key = a.transaction_id`,
    )
    .iterate(nowSec, ...params, CLASSIFY_LIMIT);
  const c = {
    classified: 0,
    alreadyApplied: 0,
    willApply: 0,
    willDeadLetterAgain: 0,
    willStartSagas: 0,
    withoutTransaction: 0,
  };
  for (const r of rows) {
    c.classified++;
    if (r.transaction_id === null) c.withoutTransaction++;
    if (r.applied) c.alreadyApplied++;
    else if (r.permanent || r.transaction_id === null || !parseTransactionEvent(r.body).ok) c.willDeadLetterAgain++;
    else {
      c.willApply++;
      if (!r.has_saga) c.willStartSagas++;
    }
  }
  return {
    ...c,
    sampled:
      count > c.classified
        ? `classified the newest ${c.classified.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} events (limit ${CLASSIFY_LIMIT.toLocaleString('en-US')}): the older ones are not classified`
        : null,
  };
}

/**
 * What a replay's events became: processed = replayed; back in the DLQ = the window's
 * transactions (skipping those excluded) dead-lettered since the replay started, through the
 * failure index; applied = the rest (including those the processor skipped as already applied).
 */
export function replayOutcome(db: Db, r: ReplayRow, now: number): TaskOutcome {
  const pattern = r.pattern ? (JSON.parse(r.pattern) as EventPatternFilter) : null;
  const where = ['a.time >= ?', 'a.time < ?'];
  const params: (string | number)[] = [r.window_start, r.window_end];
  if (pattern?.source?.length) {
    where.push(`a.source IN (${pattern.source.map(() => '?').join(',')})`);
    params.push(...pattern.source);
  }
  if (pattern?.detailType?.length) {
    where.push(`a.detail_type IN (${pattern.detailType.map(() => '?').join(',')})`);
    params.push(...pattern.detailType);
  }
  const back =
    db
      .prepare<(string | number)[], { n: number }>(
        `SELECT count(DISTINCT f.transaction_id) AS n FROM archive a JOIN failure_index f ON f.transaction_id = a.transaction_id
         WHERE ${where.join(' AND ')} AND f.at >= ?`,
      )
      .get(...params, r.started_at)?.n ?? 0;
  const ended = r.ended_at !== null && (r.state === 'COMPLETED' || r.state === 'CANCELLED' || r.state === 'FAILED');
  const backInDlq = Math.min(back, r.events_replayed);
  return {
    sent: r.events_replayed,
    processed: r.events_replayed,
    applied: r.events_replayed - backInDlq,
    backInDlq,
    settled: ended && now >= r.ended_at! + OUTCOME_SETTLE_MS,
    basis: 'replayed transactions dead-lettered since the replay started, through the failure index',
  };
}
