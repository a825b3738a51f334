import type { SagasRouteInput } from '@/server/ops/read/read.schema';

/** Sagas per list page (the browser's query asks for this many; the server's first read too). */
export const SAGA_PAGE = 50;

export const sagaKeys = {
  all: ['sagas'] as const,
  list: (f: SagasRouteInput) =>
    [
      ...sagaKeys.all,
      'list',
      f.status ?? null,
      f.range ?? null,
      f.from ?? null,
      f.to ?? null,
      f.transactionId ?? null,
      f.sort ?? 'startedAt:desc',
      f.cursor ?? null,
    ] as const,
  detail: (id: string) => [...sagaKeys.all, 'detail', id] as const,
  /** The saga and the ledger: nested under the saga's detail, so refreshing the saga refreshes it too. */
  reconciliation: (sagaId: string) => [...sagaKeys.all, 'detail', sagaId, 'reconciliation'] as const,
  /** Who asked for and who approved its compensations: read again whenever the saga's status changes. */
  interventions: (sagaId: string, status: string) =>
    [...sagaKeys.all, 'detail', sagaId, 'interventions', status] as const,
};
