import { trafficKnobsPatchSchema } from '@/infra/embedded/traffic.schema';
import { adminRoute, patchKnobs, readKnobs } from '@/server/platform/local/admin';

export const dynamic = 'force-dynamic';

/** The embedded platform's traffic and fault knobs. */
export const GET = adminRoute(undefined, () => readKnobs());

/** Changes some knobs (unknown or invalid fields: 422 naming the field). */
export const PUT = adminRoute(trafficKnobsPatchSchema, (patch) => patchKnobs(patch));
