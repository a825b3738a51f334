import { z } from 'zod';
import { outageTargets, type TrafficKnobsPatch } from '@/infra/embedded/traffic.schema';
import { HttpError } from '@/server/http/errors';
import { adminRoute, patchKnobs } from '@/server/platform/local/admin';

export const dynamic = 'force-dynamic';

const ratio = z.object({ ratio: z.number().min(0).max(1) }).strict();
const faults: Record<string, (body: unknown) => TrafficKnobsPatch> = {
  outage: (b) => ({
    outageStep: z
      .object({ step: z.enum(outageTargets).nullable() })
      .strict()
      .parse(b).step,
  }),
  poison: (b) => ({ poisonRatio: ratio.parse(b).ratio }),
  'insufficient-funds': (b) => ({ insufficientFundsRatio: ratio.parse(b).ratio }),
  duplicates: (b) => ({ duplicateRatio: ratio.parse(b).ratio }),
  'slow-consumer': (b) => ({
    slowConsumerMs: z
      .object({ ms: z.number().int().min(0).max(60_000) })
      .strict()
      .parse(b).ms,
  }),
  'processor-outage': (b) => {
    z.object({}).strict().parse(b);
    return { processorOutage: true };
  },
  clear: () => ({
    outageStep: null,
    poisonRatio: 0,
    insufficientFundsRatio: 0,
    duplicateRatio: 0,
    slowConsumerMs: 0,
    processorOutage: false,
  }),
};

/**
 * POST /api/admin/faults/{outage|poison|insufficient-funds|duplicates|slow-consumer|processor-outage|clear}
 * Bodies: { step: "SettlePayment" | null } · { ratio: 0..1 } · { ms: 0..60000 } · {}.
 * processor-outage: valid messages fail with ProcessorOutage until clear.
 */
export const POST = adminRoute(z.unknown(), (body, params) => {
  const fault = params.fault ?? '';
  const make = faults[fault];
  if (!make)
    throw new HttpError(
      404,
      'UnknownFault',
      `fault: ${fault} is not one of ${Object.keys(faults).join(', ')}`,
      'fault',
    );
  return patchKnobs(make(body ?? {}));
});
