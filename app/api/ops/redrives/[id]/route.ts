import { HttpError } from '@/server/http/errors';
import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { readRedrive } from '@/server/ops/closed-loop';
import { pathId } from '@/server/ops/ids';
import { redriveIdSchema } from '@/server/platform/inputs.schema';

export const dynamic = 'force-dynamic';

/**
 * The redrive's progress and the closed loop's pause, if any. Read-only: a poll never acts, and
 * never arms the watcher (the server does: when a redrive starts, and for running tasks when its
 * ops context is created after a restart).
 */
export const GET = route({ permission: 'platform.read' }, async ({ ops, caller, params }) => {
  const status = await readRedrive(ops, caller, pathId(redriveIdSchema, 'id', params.id));
  if (!status) throw new HttpError(404, 'NotFound', `id: no redrive task ${params.id}`, 'id');
  return status;
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
