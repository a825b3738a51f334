import { HttpError } from '@/server/http/errors';
import { route } from '@/server/http/route';
import { readRedrive } from '@/server/ops/closed-loop';

export const dynamic = 'force-dynamic';

/**
 * The redrive's progress and the closed loop's pause, if any. Read-only: a poll never acts, and
 * never arms the watcher (the server does: when a redrive starts, and for running tasks when its
 * ops context is created after a restart).
 */
export const GET = route({ permission: 'platform.read' }, async ({ ops, caller, params }) => {
  const status = await readRedrive(ops, caller, params.id ?? '');
  if (!status) throw new HttpError(404, 'NotFound', `id: no redrive task ${params.id}`, 'id');
  return status;
});
