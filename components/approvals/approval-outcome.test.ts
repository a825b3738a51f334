import { describe, expect, it } from 'vitest';
import { approvalOutcome } from './approval-outcome';

describe('what became of an approved request', () => {
  it('is the server’s error text and code when the action failed to run', () => {
    expect(
      approvalOutcome({
        action: 'saga.compensate',
        status: 'FAILED',
        input: '{"sagaId":"saga-1"}',
        result: '{"error":"sagaId: saga-1 is RUNNING: wait for it to end","code":"Conflict"}',
      }),
    ).toEqual({ kind: 'failed', error: 'sagaId: saga-1 is RUNNING: wait for it to end', code: 'Conflict' });
  });

  it('still says it failed when the recorded result is not the usual JSON', () => {
    expect(approvalOutcome({ action: 'replay.start', status: 'FAILED', input: '{}', result: 'boom' })).toEqual({
      kind: 'failed',
      error: 'boom',
      code: null,
    });
  });

  it('links a started replay or redrive to the replays page', () => {
    expect(
      approvalOutcome({ action: 'replay.start', status: 'EXECUTED', input: '{}', result: '{"name":"replay-1"}' }),
    ).toEqual({ kind: 'executed', verb: 'Started', label: 'Replay replay-1', href: '/replays?tab=replays' });
    expect(
      approvalOutcome({ action: 'redrive.start', status: 'EXECUTED', input: '{}', result: '{"id":"task-9"}' }),
    ).toEqual({ kind: 'executed', verb: 'Started', label: 'Redrive task-9', href: '/replays?tab=redrives' });
  });

  it('links a compensation or resume to the saga it ran on', () => {
    expect(
      approvalOutcome({
        action: 'saga.resume',
        status: 'EXECUTED',
        input: '{"sagaId":"saga 2"}',
        result: '{"id":"saga 2","status":"RUNNING"}',
      }),
    ).toEqual({ kind: 'executed', verb: 'Ran on', label: 'Saga saga 2', href: '/sagas/saga%202' });
    expect(
      approvalOutcome({ action: 'saga.compensate', status: 'EXECUTED', input: '{"sagaId":"saga-3"}', result: null }),
    ).toMatchObject({ href: '/sagas/saga-3' });
  });

  it('is nothing while the request waits, or when it was rejected or expired', () => {
    for (const status of ['PENDING', 'REJECTED', 'EXPIRED', 'APPROVED'] as const) {
      expect(approvalOutcome({ action: 'replay.start', status, input: '{}', result: null })).toBeNull();
    }
  });
});
