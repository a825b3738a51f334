/**
 * First-start seeding: the history the console shows on a new database, produced by the real
 * loops on a clock moved back.
 */
import type { BusArchive } from './bus';
import type { EngineContext } from './engine-context';
import type { Faults } from './faults';
import type { MetricsAlarms } from './metrics-alarms';
import { PROCESSING } from './names';
import type { ProcessorHost } from './processor-host';
import type { Queues } from './queues';
import type { SagaRunner } from './saga-runner';
import type { Traffic } from './traffic';
import { defaultTrafficKnobs, type TrafficKnobs } from './traffic.schema';

/** The loops the seed drives. */
export interface SeedLoops {
  ctx: EngineContext;
  traffic: Traffic;
  bus: BusArchive;
  queues: Queues;
  processor: ProcessorHost;
  sagas: SagaRunner;
  faults: Faults;
  metrics: MetricsAlarms;
}

/**
 * First start: 30 simulated minutes of real traffic through the real pipeline (clock moved
 * back), with phases of each fault, so the console shows history, every saga outcome,
 * a DLQ with messages and a firing DLQ alarm.
 */
export async function seedHistory(loops: SeedLoops): Promise<void> {
  const { ctx, traffic, bus, queues, processor, sagas, faults, metrics } = loops;
  const realKnobs = ctx.knobs;
  const realNow = ctx.realNow();
  const startAt = realNow - 30 * 60_000;
  traffic.loadAccounts();
  const phases: { until: number; knobs: Partial<TrafficKnobs> }[] = [
    { until: 8, knobs: {} },
    { until: 13, knobs: { outageStep: 'SettlePayment' } },
    { until: 17, knobs: { insufficientFundsRatio: 0.3 } },
    { until: 21, knobs: { poisonRatio: 0.08, duplicateRatio: 0.1 } },
    { until: 24, knobs: { outageStep: 'Notify' } },
    { until: 26, knobs: { outageStep: 'VoidSettlement' } },
    { until: 30, knobs: { poisonRatio: 0.03 } },
  ];
  await ctx.tx(async () => {
    for (let sec = 0; sec <= 30 * 60; sec += 5) {
      ctx.clockOffset = startAt + sec * 1000 - ctx.realNow();
      const minute = Math.floor(sec / 60);
      const phase = phases.find((p) => minute < p.until) ?? phases[phases.length - 1]!;
      // The VoidSettlement phase also keeps Notify down, so sagas reach the failing compensation (FAILED sagas).
      faults.extraOutage = phase.knobs.outageStep === 'VoidSettlement' ? 'Notify' : null;
      ctx.knobs = { ...defaultTrafficKnobs, ...phase.knobs, rate: 1 };
      if (sec < 30 * 60) {
        const n = 1 + Math.floor(traffic.random() * 2);
        bus.putEvents(traffic.makeTraffic(n));
      }
      for (let i = 0; i < 3; i++) {
        const batch = queues.receive(PROCESSING, 100);
        if (batch.length) processor.processBatch(batch);
        await sagas.runDueSagas();
      }
      if (sec % 10 === 0) {
        metrics.flush();
        metrics.evaluate();
      }
    }
  });
  ctx.clockOffset = 0;
  faults.extraOutage = null;
  ctx.knobs = realKnobs;
  traffic.restartRate();
  metrics.flush();
  metrics.evaluate();
}
