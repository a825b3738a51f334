import { describe, expect, it } from 'vitest';
import { SAGA_SUMMARY_SK } from '../../platform/layout';
import { sagaDefinition } from '../../saga/definition';
import { summaryUpdate, type SummaryOutcome } from './saga-summary';

const base: Omit<SummaryOutcome, 'task'> = {
  sagaId: 'tx-1',
  transaction: { transactionId: 'tx-1', amount: 1250, currency: 'EUR' },
  attempt: 1,
  error: null,
  now: Date.parse('2026-01-01T00:00:05Z'),
};
const update = (o: Partial<SummaryOutcome> & Pick<SummaryOutcome, 'task'>) => summaryUpdate({ ...base, ...o });
/** Every placeholder used in the expression is defined and every defined one is used (DynamoDB rejects unused ones). */
function expectConsistent(u: ReturnType<typeof summaryUpdate>) {
  const used = new Set(u.UpdateExpression.match(/[#:][A-Za-z]+/g));
  expect([...used].filter((p) => p.startsWith('#')).sort()).toEqual(Object.keys(u.ExpressionAttributeNames).sort());
  expect([...used].filter((p) => p.startsWith(':')).sort()).toEqual(Object.keys(u.ExpressionAttributeValues).sort());
}

describe('saga summary item (the console trusts its status)', () => {
  it('keys the item by saga id and the summary sort key and keeps amount, currency and the first start time', () => {
    const u = update({ task: 'ValidatePayment' });
    expect(u.Key).toEqual({ sagaId: 'tx-1', sk: SAGA_SUMMARY_SK });
    expect(u.UpdateExpression).toContain('#startedAt = if_not_exists(#startedAt, :at)');
    expect(u.ExpressionAttributeValues).toMatchObject({
      ':tx': 'tx-1',
      ':amount': 1250,
      ':currency': 'EUR',
      ':at': '2026-01-01T00:00:05.000Z',
      ':now': base.now,
    });
    expectConsistent(u);
  });

  it('writes no status while the saga runs (the console asks Step Functions), and clears a stale one', () => {
    const u = update({ task: 'PostLedger' });
    expect(u.UpdateExpression).toMatch(/REMOVE .*#status/);
    expect(u.ExpressionAttributeValues[':status']).toBeUndefined();
    expectConsistent(u);
  });

  it('marks SUCCEEDED only when the last step succeeded', () => {
    const last = sagaDefinition.steps[sagaDefinition.steps.length - 1]!.name;
    const u = update({ task: last });
    expect(u.ExpressionAttributeValues[':status']).toBe('SUCCEEDED');
    expect(u.UpdateExpression).toContain('#endedAt = :at');
    expectConsistent(u);
  });

  it('records the failed step and its error without a status (retries or compensation follow)', () => {
    const u = update({ task: 'SettlePayment', attempt: 3, error: { name: 'TransientError', message: 'network down' } });
    expect(u.ExpressionAttributeValues).toMatchObject({
      ':failedStep': 'SettlePayment',
      ':error': 'TransientError: network down',
    });
    expect(u.UpdateExpression).toMatch(/REMOVE .*#status/);
    expectConsistent(u);
  });

  it('marks COMPENSATED only when the last compensation of the chain succeeded', () => {
    expect(update({ task: 'VoidSettlement' }).ExpressionAttributeValues[':status']).toBeUndefined();
    expect(update({ task: 'ReverseLedger' }).ExpressionAttributeValues[':status']).toBeUndefined();
    const u = update({ task: 'ReleaseFunds' });
    expect(u.ExpressionAttributeValues[':status']).toBe('COMPENSATED');
    expectConsistent(u);
  });

  it('marks FAILED when a compensation fails on its last attempt, not before', () => {
    const max = sagaDefinition.compensationRetry.maxAttempts;
    const early = update({ task: 'ReverseLedger', attempt: max - 1, error: { name: 'Error', message: 'boom' } });
    expect(early.ExpressionAttributeValues[':status']).toBeUndefined();
    const final = update({ task: 'ReverseLedger', attempt: max, error: { name: 'Error', message: 'boom' } });
    expect(final.ExpressionAttributeValues[':status']).toBe('FAILED');
    expect(String(final.ExpressionAttributeValues[':error'])).toContain('ReverseLedger failed after');
    expectConsistent(early);
    expectConsistent(final);
  });
});
