import type { SagaStatus } from '@/infra/saga/definition';
import type { SagaDetail, SagaStepRecord } from '@/server/platform/platform.schema';

/** Test support: one timeline record, succeeded once unless `over` says otherwise. */
export function stepFixture(name: string, over: Partial<SagaStepRecord> = {}): SagaStepRecord {
  return {
    name,
    kind: 'step',
    state: 'SUCCEEDED',
    attempts: 1,
    startedAt: '2026-12-06T22:00:00.000Z',
    endedAt: '2026-12-06T22:00:01.000Z',
    input: null,
    output: null,
    error: null,
    ...over,
  };
}

/** Test support: a saga as the port returns it (455.77 USD), in `status`, with `over` applied. */
export function sagaFixture(status: SagaStatus, over: Partial<SagaDetail> = {}): SagaDetail {
  return {
    id: 'saga-1',
    transactionId: 'tx-1',
    region: 'us-east-1',
    status,
    startedAt: '2026-12-06T22:00:00.000Z',
    endedAt: status === 'RUNNING' || status === 'COMPENSATING' ? null : '2026-12-06T22:05:00.000Z',
    failedStep: null,
    error: null,
    amount: 45577,
    currency: 'USD',
    steps: [],
    ...over,
  };
}

/**
 * A downstream outage's saga after its compensation was approved: SettlePayment failed, the
 * first VoidSettlement run failed after 4 attempts (the saga stopped FAILED), the approved
 * compensation's 5th attempt succeeded. The saga's own error still names the old failure.
 */
export function compensatedAfterRetries(): SagaDetail {
  const comp = (name: string, over: Partial<SagaStepRecord> = {}) =>
    stepFixture(name, { kind: 'compensation', ...over });
  return sagaFixture('COMPENSATED', {
    failedStep: 'SettlePayment',
    error: 'compensation VoidSettlement failed: DownstreamUnavailable: settlement network timeout',
    steps: [
      stepFixture('ValidatePayment'),
      stepFixture('ReserveFunds'),
      stepFixture('PostLedger'),
      stepFixture('SettlePayment', { state: 'FAILED', attempts: 3, error: 'DownstreamUnavailable: outage' }),
      stepFixture('Notify', { state: 'SKIPPED', attempts: 0, startedAt: null, endedAt: null }),
      comp('VoidSettlement', { attempts: 5, error: 'DownstreamUnavailable: settlement network timeout' }),
      comp('ReverseLedger'),
      comp('ReleaseFunds'),
    ],
  });
}
