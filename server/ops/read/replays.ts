import 'server-only';
import type { Caller } from '@/server/auth/permissions.schema';
import { getPlatform } from '@/server/platform';
import type { ListPageInput } from '@/server/platform/inputs.schema';
import type { Archive, Page, RedriveTask, Replay } from '@/server/platform/platform.schema';
import { PlatformError } from '@/server/platform/port';
import { assertCanRead } from './authorize';

export const activeReplayStates: readonly Replay['state'][] = ['STARTING', 'RUNNING', 'CANCELLING'];
export const activeRedriveStates: readonly RedriveTask['status'][] = ['RUNNING', 'CANCELLING'];

export async function listReplays(caller: Caller, input: ListPageInput): Promise<Page<Replay>> {
  assertCanRead(caller);
  return (await getPlatform()).listReplays(caller, input);
}

export async function getReplay(caller: Caller, name: string): Promise<Replay> {
  assertCanRead(caller);
  const replay = await (await getPlatform()).getReplay(caller, name);
  if (!replay) throw new PlatformError('NotFound', `No replay named ${name}`, 'name');
  return replay;
}

export async function listRedrives(
  caller: Caller,
  input: ListPageInput & { queueId?: string },
): Promise<Page<RedriveTask>> {
  assertCanRead(caller);
  return (await getPlatform()).listRedrives(caller, input);
}

export async function getRedrive(caller: Caller, id: string): Promise<RedriveTask> {
  assertCanRead(caller);
  const task = await (await getPlatform()).getRedrive(caller, id);
  if (!task) throw new PlatformError('NotFound', `No redrive task with id ${id}`, 'id');
  return task;
}

export async function listArchives(caller: Caller): Promise<Archive[]> {
  assertCanRead(caller);
  return (await getPlatform()).listArchives(caller);
}
