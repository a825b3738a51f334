import 'server-only';
import type { Caller } from '@/server/auth/permissions.schema';
import type { OpsContext } from '@/server/ops/context';
import { sagaIdSchema } from '@/server/platform/inputs.schema';
import type { Page, SagaDetail, SagaSummary } from '@/server/platform/platform.schema';
import { PlatformError } from '@/server/platform/port';
import { pathId } from '../ids';
import { resolveRange, type SagasRouteInput } from './read.schema';

/** One page of sagas; a preset range resolves to absolute times now, custom uses from/to. */
export async function listSagas(
  ctx: OpsContext,
  caller: Caller,
  input: SagasRouteInput,
  now = Date.now(),
): Promise<Page<SagaSummary>> {
  const platform = ctx.platform;
  const { range, from, to, transactionId, ...rest } = input;
  const window = range ? resolveRange({ range, from, to }, now) : { from, to };
  const tx = transactionId?.trim();
  return platform.listSagas(caller, { ...rest, from: window.from, to: window.to, transactionId: tx ? tx : undefined });
}

export async function getSaga(ctx: OpsContext, caller: Caller, id: string): Promise<SagaDetail> {
  const platform = ctx.platform;
  const saga = await platform.getSaga(caller, pathId(sagaIdSchema, 'id', id));
  if (!saga) throw new PlatformError('NotFound', `No saga with id ${id}`, 'id');
  return saga;
}
