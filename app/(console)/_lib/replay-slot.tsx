import 'server-only';
import type { ReactNode } from 'react';
import { LazyReplayAction } from '@/components/replays/lazy-replay-action';
import { can } from '@/infra/platform/roles';
import type { Caller } from '@/server/auth/permissions.schema';
import { listArchives } from '@/server/ops/read/replays';
import { opsFor } from '@/server/ops/server-context';

/**
 * The "replay the last 24 h" action for a page's action slot, rendered on the server: nothing
 * for a caller who may not replay (their browser never loads the form) or when there is no
 * archive, otherwise the form bound to the platform's archive and its ingestion lag. `secondary`:
 * its trigger styled as a secondary button (where a replay is not the page's first move).
 */
export async function replaySlot(caller: Caller | null, { secondary = false } = {}): Promise<ReactNode> {
  if (!caller || !can(caller.role, 'archive.replay')) return null;
  const ops = await opsFor(caller, 'platform.read');
  const archive = ops ? (await listArchives(ops, caller))[0] : undefined;
  if (!archive) return null;
  return (
    <LazyReplayAction
      role={caller.role}
      archive={archive.name}
      ingestionLagSeconds={archive.ingestionLagSeconds}
      initialPreset="24h"
      secondary={secondary}
    />
  );
}

/**
 * A slot started before the page's data is read (`replaySlot(caller)`, not awaited) and rendered
 * where it goes: its archive read runs in parallel with ServerData's reads instead of before them.
 */
export async function StartedSlot({ slot }: { slot: Promise<ReactNode> }) {
  return <>{await slot}</>;
}
