import { adminRoute, patchKnobs, readKnobs } from '@/server/platform/local/admin';
import { trafficKnobsPatchSchema } from '@/server/platform/local/traffic.schema';

export const dynamic = 'force-dynamic';

/** The embedded platform's traffic and fault knobs. */
export const GET = adminRoute(undefined, () => readKnobs());

/** Changes some knobs (unknown or invalid fields: 422 naming the field). */
export const PUT = adminRoute(trafficKnobsPatchSchema, (patch) => patchKnobs(patch));
