import { afterEach, describe, expect, it } from 'vitest';
import { alarmName } from '@/infra/platform/description';
import { transactionEnvelope } from '@/infra/runtime/transaction';
import { evaluateAlarm, evaluationWindow } from './alarms';
import type { Engine } from './engine';
import { STAGE } from './names';
import { dataDirOf, removeDataDir, startTestEngine } from './test-support';

const def = {
  metricId: 'processor.errors',
  comparison: 'GreaterThanThreshold' as const,
  threshold: 5,
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  treatMissingData: 'notBreaching' as const,
};

describe('CloudWatch alarm evaluation', () => {
  it('alarms when M of the last N datapoints breach', () => {
    expect(evaluateAlarm(def, [6, 1, 9], 'OK').state).toBe('ALARM');
    expect(evaluateAlarm(def, [6, 1, 2], 'ALARM').state).toBe('OK');
  });
  it('treats missing data as configured', () => {
    expect(evaluateAlarm(def, [null, null, null], 'ALARM').state).toBe('OK');
    expect(evaluateAlarm({ ...def, treatMissingData: 'breaching' }, [null, 9, 1], 'OK').state).toBe('ALARM');
    expect(evaluateAlarm({ ...def, treatMissingData: 'missing' }, [null, null, null], 'OK').state).toBe(
      'INSUFFICIENT_DATA',
    );
    expect(evaluateAlarm({ ...def, treatMissingData: 'ignore' }, [null, null, null], 'ALARM').state).toBe('ALARM');
  });
  it('explains the decision with the datapoints', () => {
    expect(evaluateAlarm(def, [6, null, 9], 'OK').reason).toMatch(/2 of the last 3 datapoint\(s\) \[6, missing, 9\]/);
  });
  it('reads the last N complete minutes, never the minute in progress', () => {
    const two = { evaluationPeriods: 2, periodSeconds: 60 };
    expect(evaluationWindow(two, 10 * 60_000 + 59_999)).toEqual({ from: 8, to: 9 });
    expect(evaluationWindow(two, 11 * 60_000)).toEqual({ from: 9, to: 10 });
  });
  it('names the oldest breaching datapoint: where the episode starts', () => {
    expect(evaluateAlarm(def, [1, 6, 9], 'OK')).toMatchObject({ state: 'ALARM', firstBreaching: 1 });
    expect(evaluateAlarm({ ...def, treatMissingData: 'breaching' }, [null, 1, 9], 'OK').firstBreaching).toBe(0);
    expect(evaluateAlarm(def, [1, 2, 3], 'OK').firstBreaching).toBeNull();
  });
  it('honours the less-than comparisons', () => {
    const low = {
      ...def,
      comparison: 'LessThanThreshold' as const,
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    };
    expect(evaluateAlarm(low, [0], 'OK').state).toBe('ALARM');
    expect(evaluateAlarm(low, [3], 'ALARM').state).toBe('OK');
  });
});

describe('the embedded platform’s alarms during a downstream outage', () => {
  const DOWNSTREAM = alarmName(STAGE, 'downstream-failures');
  let engine: Engine | null = null;
  afterEach(() => {
    if (!engine) return;
    const dir = dataDirOf(engine);
    engine.close();
    removeDataDir(dir);
    engine = null;
  });

  it('goes OK → ALARM once during a 5-minute SettlePayment outage and ALARM → OK once after recovery, in ALARM since the first breaching minute', async () => {
    const t0 = Math.floor(Date.now() / 60_000) * 60_000;
    const clock = { now: t0 };
    const e = (engine = await startTestEngine('alarm-episode', { clock: () => clock.now }));
    const outageFrom = t0 + 2 * 60_000 + 20_000;
    const outageTo = outageFrom + 5 * 60_000;
    const alarm = e.db.prepare<[string], { state: string; episode_start: number | null }>(
      'SELECT state, episode_start FROM alarms WHERE name = ?',
    );
    const inOutage: { state: string; episodeStart: number | null }[] = [];
    let n = 0;
    // Every 5 s of the engine's clock: 4 transactions, then one round of the loops. At each new
    // minute the alarm timer fires first, at the minute's first instant, before that minute has any
    // traffic (as in the running engine, whose first round of a minute usually has no work).
    for (let t = t0 + 1_000; t < t0 + 11 * 60_000; t += 5_000) {
      if (Math.floor(t / 60_000) !== Math.floor((t - 5_000) / 60_000)) {
        clock.now = Math.floor(t / 60_000) * 60_000;
        e.flushMetrics();
        e.evaluateAlarms();
      }
      clock.now = t;
      e.setKnobs({ outageStep: t >= outageFrom && t < outageTo ? 'SettlePayment' : null });
      await e.tick({ generate: false });
      const time = new Date(clock.now).toISOString();
      const txs = Array.from({ length: 4 }, () => {
        const k = n++;
        const account = (i: number) => `acct-${String((i % 200) + 1).padStart(4, '0')}`;
        const tx = {
          transactionId: `tx-${k}`,
          fromAccount: account(2 * k),
          toAccount: account(2 * k + 1),
          amount: 100,
          currency: 'USD',
          createdAt: time,
        };
        return transactionEnvelope(`ev-${k}`, tx, time);
      });
      await e.tx(() => e.putEvents(txs));
      await e.tick({ generate: false });
      const row = alarm.get(DOWNSTREAM);
      if (t >= outageFrom + 2 * 60_000 && t < outageTo)
        inOutage.push({ state: row?.state ?? 'none', episodeStart: row?.episode_start ?? null });
    }

    const history = e.db
      .prepare<[string], { at: number; from_state: string; to_state: string }>(
        'SELECT at, from_state, to_state FROM alarm_history WHERE name = ? ORDER BY id',
      )
      .all(DOWNSTREAM);
    expect(history.map((h) => `${h.from_state} → ${h.to_state}`)).toEqual([
      'INSUFFICIENT_DATA → OK',
      'OK → ALARM',
      'ALARM → OK',
    ]);
    const firstBreachingMinute = Math.floor(outageFrom / 60_000) * 60_000;
    // From 2 minutes into the outage (2 of 2 complete minutes breaching) to its end: ALARM throughout.
    expect(inOutage.length).toBeGreaterThan(30);
    expect(new Set(inOutage.map((r) => `${r.state} ${r.episodeStart}`))).toEqual(
      new Set([`ALARM ${firstBreachingMinute}`]),
    );
    expect(history[1]!.at).toBeGreaterThanOrEqual(firstBreachingMinute + 2 * 60_000);
    expect(history[2]!.at).toBeGreaterThan(outageTo);
    // The episode's start stays readable once it is over.
    expect(alarm.get(DOWNSTREAM)).toEqual({ state: 'OK', episode_start: firstBreachingMinute });
  });
});
