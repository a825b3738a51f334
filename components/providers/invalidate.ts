import { useEffect } from 'react';
import { useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';
import { alarmKeys } from '@/components/alarms/data/keys';
import { approvalKeys } from '@/components/approvals/data/keys';
import { auditKeys } from '@/components/audit/data/keys';
import { incidentKeys } from '@/components/incident/data/keys';
import { overviewKeys } from '@/components/overview/data/keys';
import { queueKeys } from '@/components/queues/data/keys';
import { redriveKeys, replayKeys } from '@/components/replays/data/keys';
import { sagaKeys } from '@/components/sagas/data/keys';

/** The read-side views each write changes, by the read side's own key families. */
export const affectedBy = {
  redrive: [queueKeys.all, redriveKeys.all, overviewKeys.all, alarmKeys.all, incidentKeys.all, auditKeys.all],
  replay: [replayKeys.all, overviewKeys.all, sagaKeys.all, queueKeys.all, auditKeys.all],
  compensation: [sagaKeys.all, overviewKeys.all, incidentKeys.all, approvalKeys.all, auditKeys.all],
  approval: [
    approvalKeys.all,
    sagaKeys.all,
    replayKeys.all,
    redriveKeys.all,
    queueKeys.all,
    overviewKeys.all,
    auditKeys.all,
  ],
} satisfies Record<string, readonly QueryKey[]>;

export function invalidate(client: QueryClient, keys: readonly QueryKey[]): Promise<void> {
  return Promise.all(keys.map((queryKey) => client.invalidateQueries({ queryKey }))).then(() => undefined);
}

/** Refreshes `keys` when `when` turns true (a started task ended: what it changed is stale now). */
export function useInvalidateWhen(when: boolean, keys: readonly QueryKey[]): void {
  const client = useQueryClient();
  useEffect(() => {
    if (when) void invalidate(client, keys);
  }, [when, client, keys]);
}
