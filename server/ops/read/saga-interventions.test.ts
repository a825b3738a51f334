import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '@/server/audit/audit.schema';
import { interventionsOf } from './saga-interventions';

let seq = 0;
const row = (over: Partial<AuditEntry>): AuditEntry => ({
  seq: ++seq,
  at: `2026-12-06T22:0${seq}:00.000Z`,
  requestId: `req-${seq}`,
  actorId: 'u-operator',
  actorName: 'Omar Operator',
  role: 'operator',
  action: 'saga.compensate',
  outcome: 'requested',
  target: 'saga:saga-1',
  reason: 'customer disputed the transfer',
  ticket: 'INC-1',
  approvalId: null,
  idempotencyKey: null,
  inputs: null,
  result: null,
  hash: 'h',
  ...over,
});
const approver = { actorId: 'u-approver', actorName: 'Ada Approver', role: 'approver' };

describe('the interventions of a saga, from its audit rows', () => {
  it('folds a request, its approval and its completion into one intervention with both people', () => {
    const items = interventionsOf([
      row({ approvalId: 'apr-1' }),
      row({ ...approver, action: 'approval.approve', outcome: 'approved', approvalId: 'apr-1' }),
      row({ approvalId: 'apr-1', outcome: 'started' }),
      row({ action: 'saga.compensate.completed', outcome: 'succeeded', actorId: 'system', actorName: 'closed loop' }),
    ]);
    expect(items).toEqual([
      expect.objectContaining({
        approvalId: 'apr-1',
        requestedBy: { id: 'u-operator', name: 'Omar Operator' },
        decidedBy: { id: 'u-approver', name: 'Ada Approver', decision: 'approved', at: expect.any(String) as string },
        outcome: 'succeeded',
      }),
    ]);
  });

  it('keeps a direct action (no approval) and a waiting request apart, in order', () => {
    const items = interventionsOf([
      row({ action: 'saga.resume', outcome: 'started' }),
      row({ approvalId: 'apr-2', actorId: 'u-operator2', actorName: 'Oona Operator' }),
    ]);
    expect(items.map((i) => [i.action, i.requestedBy.name, i.decidedBy, i.outcome])).toEqual([
      ['saga.resume', 'Omar Operator', null, 'started'],
      ['saga.compensate', 'Oona Operator', null, 'requested'],
    ]);
  });
});
