import { HttpError } from '@/server/http/errors';
import { route } from '@/server/http/route';
import { readRedrive, watchRedrive } from '@/server/ops/closed-loop';
import { getOpsContext } from '@/server/ops/context';

export const dynamic = 'force-dynamic';

/**
 * The redrive's progress and the closed loop's pause, if any. Read-only: a poll never acts
 * under the poller's identity; it only makes sure the system watcher (the one place that
 * pauses a redrive) watches a running task, e.g. after a console restart.
 */
export const GET = route({ permission: 'platform.read' }, async ({ caller, params }) => {
  const ctx = await getOpsContext();
  const status = await readRedrive(ctx, caller, params.id ?? '');
  if (!status) throw new HttpError(404, 'NotFound', `id: no redrive task ${params.id}`, 'id');
  if (status.task.status === 'RUNNING') watchRedrive(ctx, status.task.id);
  return status;
});
