'use client';

import { useCallback, useState } from 'react';
import { can, type Role } from '@/infra/platform/roles';
import type { DeadLetterMessage } from '@/server/platform/platform.schema';
import { useQueuesQuery } from './data/queues-query';
import { LazyQuarantineAction } from './lazy-quarantine-action';
import { LazyRedriveAction } from './lazy-redrive-action';
import { QueueDetailView, type QueueDetailViewProps } from './queue-detail-view';

type Props = Omit<QueueDetailViewProps, 'actions' | 'messageActions'> & { role: Role };

/**
 * The queue page with the write side: a redrive of the whole DLQ or of the messages selected in
 * the dead-letter browser (the per-message checkbox is a function slot, so it lives on the client).
 */
export function QueueDetailWithActions({ role, ...props }: Props) {
  const [selected, setSelected] = useState<string[]>([]);
  const queues = useQueuesQuery();
  const pair = queues.data?.find((q) => q.id === props.id);
  const allowed = can(role, 'queue.redrive');
  const toggle = useCallback(
    (id: string, on: boolean) => setSelected((s) => (on ? [...new Set([...s, id])] : s.filter((x) => x !== id))),
    [],
  );
  const messageActions = allowed
    ? (m: DeadLetterMessage) => (
        <label className="flex items-center gap-1 text-xs">
          <input type="checkbox" checked={selected.includes(m.id)} onChange={(e) => toggle(m.id, e.target.checked)} />
          Select {m.id} for redrive
        </label>
      )
    : undefined;
  const actions = pair ? (
    <>
      {allowed ? (
        <LazyRedriveAction
          role={role}
          queueId={pair.id}
          depth={pair.dlq.visible + pair.dlq.inFlight}
          messageIds={selected.length ? selected : undefined}
        />
      ) : null}
      <LazyQuarantineAction role={role} queueId={pair.id} />
    </>
  ) : null;
  return <QueueDetailView {...props} actions={actions} messageActions={messageActions} />;
}
