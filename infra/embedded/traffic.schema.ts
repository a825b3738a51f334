/**
 * Traffic and fault knobs of the embedded platform. Pure zod: the admin API validates with it,
 * the engine reads the stored value with it.
 */
import { z } from 'zod';
import { compensationNames, stepNames } from '@/infra/saga/definition';

const ratio = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

export const outageTargets = [...stepNames, ...compensationNames] as const;

export const trafficKnobsSchema = z
  .object({
    /** Generated transactions per second (0 = off). */
    rate: z.number().min(0).max(100_000),
    /** Share of events whose body can never be processed (ends in the DLQ after 3 receives). */
    poisonRatio: ratio,
    /** Share of transfers from nearly empty accounts (ReserveFunds fails, saga compensates). */
    insufficientFundsRatio: ratio,
    /** Share of transactions the producer sends twice (new event id, same transaction id). */
    duplicateRatio: ratio,
    /** A saga step or compensation whose downstream is down (every call fails with TransientError). */
    outageStep: z.enum(outageTargets).nullable(),
    /** Extra time the processor spends per batch (a slow consumer). */
    slowConsumerMs: z.number().int().min(0).max(60_000),
    /**
     * The processor itself is down: every VALID message fails with the retriable ProcessorOutage
     * error (poison messages still fail as poison), so it is dead-lettered after 3 receives and
     * can be redriven once the outage is cleared.
     */
    processorOutage: z.boolean(),
  })
  .strict();
export type TrafficKnobs = z.infer<typeof trafficKnobsSchema>;

export const trafficKnobsPatchSchema = trafficKnobsSchema.partial().strict();
export type TrafficKnobsPatch = z.infer<typeof trafficKnobsPatchSchema>;

export const defaultTrafficKnobs: TrafficKnobs = {
  rate: 5,
  poisonRatio: 0,
  insufficientFundsRatio: 0,
  duplicateRatio: 0,
  outageStep: null,
  slowConsumerMs: 0,
  processorOutage: false,
};
