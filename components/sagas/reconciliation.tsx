'use client';

import { useEffect } from 'react';
import { ActionError, secondaryButtonClass } from '@/components/ui/action-fields';
import { formatMoney } from '@/components/ui/format';
import { useReconciliationQuery } from './data/reconciliation-query';
import { useSagaQuery } from './data/saga-query';

/**
 * The saga's state and the ledger's balance. Read once, after an action, when the saga's state
 * changes, or on demand: each read re-reads the whole ledger (see reconciliation-query.ts).
 */
export function Reconciliation({ sagaId }: { sagaId: string }) {
  const query = useReconciliationQuery(sagaId, true);
  const sagaStatus = useSagaQuery(sagaId).data?.status;
  const shownStatus = query.data?.saga.status;
  const { refetch } = query;
  useEffect(() => {
    // The saga page's own (cheap) poll saw the saga move on: read the ledger once more.
    if (sagaStatus && shownStatus && sagaStatus !== shownStatus) void refetch();
  }, [sagaStatus, shownStatus, refetch]);

  if (!query.data) return <ActionError error={query.error} />;
  const { saga, reconciliation: r } = query.data;
  // The ledger's totals carry no currency of their own: the platform's accounts share the saga's.
  const money = (minor: number) => formatMoney(minor, saga.currency);
  return (
    <div className="flex flex-col gap-2">
      <p role="status" aria-label="Reconciliation" className="rounded border border-border px-3 py-2 text-sm">
        Saga {saga.status}. Ledger {r.balanced ? 'balanced' : 'NOT balanced'}: total {money(r.totalBalance)} of{' '}
        {money(r.expectedTotal)} expected across {r.accounts} accounts; {r.openHolds} open holds ({money(r.heldAmount)}
        ).
      </p>
      <button
        type="button"
        className={`${secondaryButtonClass} self-start`}
        disabled={query.isFetching}
        onClick={() => void refetch()}
      >
        {query.isFetching ? 'Checking ledger…' : 'Check ledger again'}
      </button>
      <ActionError error={query.error} />
    </div>
  );
}
