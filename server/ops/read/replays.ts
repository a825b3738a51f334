import 'server-only';
import type { Caller } from '@/server/auth/permissions.schema';
import type { OpsContext } from '@/server/ops/context';
import { redriveIdSchema, replayNameSchema, type ListPageInput } from '@/server/platform/inputs.schema';
import type { Archive, Page, RedriveTask, Replay } from '@/server/platform/platform.schema';
import { PlatformError } from '@/server/platform/port';
import { pathId } from '../ids';

export const activeReplayStates: readonly Replay['state'][] = ['STARTING', 'RUNNING', 'CANCELLING'];
export const activeRedriveStates: readonly RedriveTask['status'][] = ['RUNNING', 'CANCELLING'];

export function listReplays(ctx: OpsContext, caller: Caller, input: ListPageInput): Promise<Page<Replay>> {
  return ctx.platform.listReplays(caller, input);
}

export async function getReplay(ctx: OpsContext, caller: Caller, name: string): Promise<Replay> {
  const replay = await ctx.platform.getReplay(caller, pathId(replayNameSchema, 'name', name));
  if (!replay) throw new PlatformError('NotFound', `No replay named ${name}`, 'name');
  return replay;
}

export function listRedrives(
  ctx: OpsContext,
  caller: Caller,
  input: ListPageInput & { queueId?: string },
): Promise<Page<RedriveTask>> {
  return ctx.platform.listRedrives(caller, input);
}

export async function getRedrive(ctx: OpsContext, caller: Caller, id: string): Promise<RedriveTask> {
  const task = await ctx.platform.getRedrive(caller, pathId(redriveIdSchema, 'id', id));
  if (!task) throw new PlatformError('NotFound', `No redrive task with id ${id}`, 'id');
  return task;
}

export function listArchives(ctx: OpsContext, caller: Caller): Promise<Archive[]> {
  return ctx.platform.listArchives(caller);
}
