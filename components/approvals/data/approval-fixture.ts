import type { Approval } from '@/server/approvals/approval.schema';

/** An approval request as GET /api/approvals returns it, for the action panels' tests. */
export function approvalFixture(overrides: Partial<Approval> = {}): Approval {
  return {
    id: 'apr-1',
    action: 'saga.compensate',
    target: 'saga:saga-1',
    input: JSON.stringify({ sagaId: 'saga-1', mode: 'compensate', reason: 'customer disputed the transfer' }),
    preview: null,
    reason: 'customer disputed the transfer',
    ticket: 'INC-1234',
    requestedBy: 'u-operator',
    requestedByName: 'Olga Operator',
    requestedRole: 'operator',
    requestedAt: '2026-11-26T03:00:00.000Z',
    expiresAt: '2026-11-26T04:00:00.000Z',
    status: 'PENDING',
    decidedBy: null,
    decidedByName: null,
    decidedAt: null,
    decisionComment: null,
    result: null,
    ...overrides,
  };
}
