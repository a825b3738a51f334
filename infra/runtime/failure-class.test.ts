import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lambdaInvokeErrors, sagaDefinition, sagaErrors } from '../saga/definition';
import { classify, classifyFailure, errorVerdicts, normaliseMessage, splitErrorText } from './failure-class';
import { StepError } from './ports';
import { ClaimConflictError, PoisonMessageError, processMessage, type ProcessorDeps } from './processor';
import { transactionEnvelope } from './transaction';

const root = path.resolve(import.meta.dirname, '..');
/** Every non-test source of the processor, its hosts and the saga steps. */
function sources(): { file: string; text: string }[] {
  const dirs = ['runtime', 'embedded', 'lambda', 'lambda/adapters', 'lambda/shared', 'saga'];
  return dirs.flatMap((d) =>
    fs
      .readdirSync(path.join(root, d))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => ({ file: `${d}/${f}`, text: fs.readFileSync(path.join(root, d, f), 'utf8') })),
  );
}

/** The `name` each Error subclass of the code gives itself (its class name when it sets none). */
function errorClassNames(): string[] {
  const names: string[] = [];
  for (const { text } of sources()) {
    for (const m of text.matchAll(/class (\w+) extends Error \{([\s\S]*?)\n\}/g)) {
      if (m[1] === 'StepError') continue; // named by sagaErrors (below)
      const own = /this\.name = '([^']+)'/.exec(m[2]!);
      names.push(own ? own[1]! : m[1]!);
    }
  }
  return names;
}

describe('failure classes', () => {
  it('has a verdict for every Error subclass the processor, its hosts and the saga steps define', () => {
    const names = errorClassNames();
    expect(names).toEqual(expect.arrayContaining(['PoisonMessageError', 'ClaimConflictError', 'ProcessorOutage']));
    for (const name of names) expect(Object.hasOwn(errorVerdicts, name), `${name} has no verdict`).toBe(true);
  });

  it('has a verdict for every saga error the steps throw, and every error a retry policy names', () => {
    const thrown = new Set<string>();
    for (const { text } of sources())
      for (const m of text.matchAll(/new StepError\(\s*sagaErrors\.(\w+)/g)) thrown.add(m[1]!);
    expect([...thrown].sort()).toEqual(['insufficientFunds', 'permanent', 'transient']);
    for (const key of thrown) {
      const name = sagaErrors[key as keyof typeof sagaErrors];
      expect(Object.hasOwn(errorVerdicts, name), `${name} has no verdict`).toBe(true);
    }
    const retried = JSON.stringify(sagaDefinition).match(/"errors":\[[^\]]*\]/g) ?? [];
    const named = retried.flatMap((r) => (JSON.parse(`{${r}}`) as { errors: string[] }).errors);
    for (const name of [...named, ...lambdaInvokeErrors].filter((n) => n !== 'States.ALL'))
      expect(Object.hasOwn(errorVerdicts, name), `${name} has no verdict`).toBe(true);
  });

  it('decides retryable for transient saga errors and permanent for business refusals', () => {
    expect(classifyFailure(new StepError(sagaErrors.transient, 'downstream timed out'), 'SettlePayment')).toMatchObject(
      { verdict: 'retryable', step: 'SettlePayment', errorType: 'TransientError' },
    );
    expect(classifyFailure(new StepError(sagaErrors.permanent, 'x'), 'ValidatePayment').verdict).toBe('permanent');
    expect(classifyFailure(new StepError(sagaErrors.insufficientFunds, 'x'), 'ReserveFunds').verdict).toBe('permanent');
  });

  const deps = (over: Partial<ProcessorDeps> = {}): ProcessorDeps => ({
    idempotency: {
      claim: () => ({ status: 'claimed' }),
      complete: () => undefined,
      release: () => undefined,
      get: () => null,
    },
    startSaga: () => ({ sagaId: 's' }),
    now: () => 1_000,
    ...over,
  });
  const body = (id: string, amount: number) =>
    JSON.stringify(
      transactionEnvelope(
        `evt-${id}`,
        {
          transactionId: id,
          fromAccount: 'acct-1',
          toAccount: 'acct-2',
          amount,
          currency: 'EUR',
          createdAt: '2026-12-06T10:00:00.000Z',
        },
        '2026-12-06T10:00:01.000Z',
      ),
    );
  const failureOf = (run: () => unknown): unknown => {
    try {
      run();
    } catch (e) {
      return e;
    }
    throw new Error('expected a failure');
  };

  it('classifies what processMessage raises: poison permanent, a claim conflict retryable, a start failure by its type', () => {
    const poison = failureOf(() => processMessage('{not json', deps()));
    expect(poison).toBeInstanceOf(PoisonMessageError);
    expect(classifyFailure(poison)).toMatchObject({ verdict: 'permanent', step: 'parse' });
    const conflict = failureOf(() =>
      processMessage(
        body('tx-1', 5),
        deps({
          idempotency: { ...deps().idempotency, claim: () => ({ status: 'in_progress', record: null as never }) },
        }),
      ),
    );
    expect(conflict).toBeInstanceOf(ClaimConflictError);
    expect(classifyFailure(conflict)).toMatchObject({ verdict: 'retryable', step: 'claim' });
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const start = failureOf(() =>
      processMessage(
        body('tx-1', 5),
        deps({
          startSaga: () => {
            throw throttled;
          },
        }),
      ),
    );
    expect(classifyFailure(start)).toMatchObject({ verdict: 'retryable', step: 'start-saga' });
  });

  it('groups messages that failed the same way: ids, uuids, amounts, times and emails stripped', () => {
    const a = classifyFailure(
      'PoisonMessageError: transaction tx-000123 already has a saga (tx-000123) started with different content',
    );
    const b = classifyFailure(
      'PoisonMessageError: transaction 4f1c2a9e-1b2c-4d5e-8f90-123456789abc already has a saga (x9) started with different content',
    );
    expect(a.classId).toBe(b.classId);
    expect(a.step).toBe('start-saga');
    expect(
      normaliseMessage('account acct-7 has 1,250.50 available; 99 needed at 2026-12-06T10:00:00.000Z by a@b.io'),
    ).toBe('account <id> has <n> available; <n> needed at <time> by <email>');
    expect(classifyFailure('PoisonMessageError: detail.amount: expected number').classId).not.toBe(a.classId);
  });

  it('reads the texts both hosts record, including a dead letter that was never answered', () => {
    expect(splitErrorText('ProcessorOutage: processor unavailable')).toEqual({
      errorType: 'ProcessorOutage',
      message: 'processor unavailable',
    });
    expect(classifyFailure('receive count 3 reached maxReceiveCount 3')).toMatchObject({
      errorType: 'MaxReceiveCountExceeded',
      verdict: 'retryable',
    });
    expect(classify('SomethingNew', 'x').verdict).toBe('retryable');
  });
});
