import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { replayPreviewRequest } from '@/server/ops/ops.schema';
import { previewReplay } from '@/server/ops/replay';

export const dynamic = 'force-dynamic';

/** Count, sample, bounds and the idempotency gate of a replay window (changes nothing). */
export const POST = route({ permission: 'archive.replay', schema: replayPreviewRequest }, ({ ops, caller, input }) =>
  previewReplay(ops, caller, input),
);

export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
