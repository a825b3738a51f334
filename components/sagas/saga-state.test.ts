import { describe, expect, it } from 'vitest';
import { compensatedAfterRetries, sagaFixture, stepFixture } from './saga-fixture';
import { attemptsOf, sagaActionsFor, sagaBanner } from './saga-state';

describe('saga actions by state', () => {
  it('offers no compensation on a COMPENSATED or COMPENSATING saga', () => {
    expect(sagaActionsFor('COMPENSATED')).toEqual({ compensate: 'none', resume: false });
    expect(sagaActionsFor('COMPENSATING').compensate).toBe('none');
  });

  it('offers compensating a SUCCEEDED saga only behind the "reverse a completed payment" confirmation, and no resume', () => {
    expect(sagaActionsFor('SUCCEEDED')).toEqual({ compensate: 'confirm', resume: false });
  });

  it('offers compensate and resume on a FAILED (stopped) or RUNNING saga', () => {
    expect(sagaActionsFor('FAILED')).toEqual({ compensate: 'offer', resume: true });
    expect(sagaActionsFor('RUNNING')).toEqual({ compensate: 'offer', resume: true });
  });
});

describe('the saga page banner, from the current state', () => {
  it('is not red on a COMPENSATED saga whose compensation failed before it succeeded', () => {
    const banner = sagaBanner(compensatedAfterRetries());
    expect(banner?.tone).toBe('info');
    expect(banner?.title).toMatch(/^Compensated/);
    expect(`${banner?.title} ${banner?.detail}`).not.toContain('VoidSettlement failed');
    expect(banner?.detail).toContain('SettlePayment failed: DownstreamUnavailable: outage');
  });

  it('is red on a FAILED saga whose compensation stopped, naming that compensation', () => {
    const saga = compensatedAfterRetries();
    const stopped = sagaFixture('FAILED', {
      ...saga,
      status: 'FAILED',
      steps: saga.steps.map((s) => (s.name === 'VoidSettlement' ? { ...s, state: 'FAILED' as const, attempts: 4 } : s)),
    });
    expect(sagaBanner(stopped)).toMatchObject({
      tone: 'danger',
      title: 'Compensation VoidSettlement failed: the saga stopped half undone',
    });
  });

  it('warns while a step retries and says nothing on a SUCCEEDED saga', () => {
    const running = sagaFixture('RUNNING', {
      steps: [stepFixture('SettlePayment', { state: 'RUNNING', attempts: 2, error: 'Timeout' })],
    });
    expect(sagaBanner(running)).toMatchObject({ tone: 'warn', title: 'SettlePayment is retrying (attempt 2 failed)' });
    expect(sagaBanner(sagaFixture('SUCCEEDED'))).toBeNull();
  });
});

describe('every attempt of a step', () => {
  it('lists each attempt: the earlier ones failed, the last one ended as the step did', () => {
    const attempts = attemptsOf(stepFixture('VoidSettlement', { kind: 'compensation', attempts: 5 }));
    expect(attempts.map((a) => `${a.n}:${a.outcome}`)).toEqual([
      '1:failed',
      '2:failed',
      '3:failed',
      '4:failed',
      '5:succeeded',
    ]);
  });

  it('says a running step with an error waits for its retry', () => {
    expect(attemptsOf(stepFixture('SettlePayment', { state: 'RUNNING', attempts: 2, error: 'x' })).at(-1)).toEqual({
      n: 2,
      outcome: 'failed, retry waiting',
    });
  });
});
