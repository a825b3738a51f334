import { HttpError } from '@/server/http/errors';
import { route } from '@/server/http/route';
import { checkRedrive } from '@/server/ops/closed-loop';
import { getOpsContext } from '@/server/ops/context';

export const dynamic = 'force-dynamic';

/** The redrive's progress; each poll also runs the closed-loop check (pause on consumer errors). */
export const GET = route({ permission: 'platform.read' }, async ({ caller, params }) => {
  const status = await checkRedrive(await getOpsContext(), caller, params.id ?? '');
  if (!status) throw new HttpError(404, 'NotFound', `id: no redrive task ${params.id}`, 'id');
  return status;
});
