'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { LedgerSummary, SagaDetail } from '@/server/platform/platform.schema';
import { postJson } from '../api';
import { compensationPath, type CompensationMode } from './compensation-preview-mutation';
import { affectedBy, invalidate } from './invalidate';
import type { ActionOutcome } from './outcome';

/** A compensation started without an approval: the ledger read after it may fail (warning says why). */
export interface CompensationResult {
  saga: SagaDetail;
  reconciliation: LedgerSummary | null;
  warning: string | null;
}
/** The saga and the ledger now (GET .../compensation). */
export interface Reconciliation {
  saga: SagaDetail;
  reconciliation: LedgerSummary;
}
export interface CompensationBody {
  mode: CompensationMode;
  reason: string;
  ticket: string;
}

export function requestCompensation(sagaId: string, body: CompensationBody, idempotencyKey: string) {
  return postJson<ActionOutcome<CompensationResult>>(compensationPath(sagaId), body, idempotencyKey);
}

/** Compensate or resume a saga (under the default policy: filed for a second person's approval). */
export function useCompensationRequestMutation(sagaId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: CompensationBody; idempotencyKey: string }) =>
      requestCompensation(sagaId, body, idempotencyKey),
    onSuccess: () => invalidate(client, affectedBy.compensation),
  });
}
