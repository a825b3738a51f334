import { redriveKeys, replayKeys } from '@/components/replays/data/keys';
import { sagaKeys } from '@/components/sagas/data/keys';

/**
 * Keys of the write side's polling queries, nested under the read side's keys so that
 * invalidating a read-side family (e.g. redriveKeys.all) refreshes them too.
 */
export const actionKeys = {
  redriveStatus: (id: string) => [...redriveKeys.all, 'status', id] as const,
  replayStatus: (name: string) => [...replayKeys.all, 'status', name] as const,
  reconciliation: (sagaId: string) => [...sagaKeys.detail(sagaId), 'reconciliation'] as const,
};

export const approvalKeys = {
  all: ['approvals'] as const,
  detail: (id: string) => [...approvalKeys.all, 'detail', id] as const,
};

export const auditKeys = {
  all: ['audit'] as const,
};
