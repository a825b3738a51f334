import { describe, expect, it } from 'vitest';
import { answer, answerBoth, runFlow, settled, type Flow, type MaybePromise } from './flow';

/** A flow that reads two answers, adds them, and turns a negative sum into an error it may catch. */
function* addTwo(a: () => MaybePromise<number>, b: () => MaybePromise<number>, log: string[]): Flow<number> {
  const x = yield* answer(a());
  log.push(`x=${x}`);
  try {
    const y = yield* answer(b());
    log.push(`y=${y}`);
    if (x + y < 0) throw new Error('negative');
    return x + y;
  } catch (e) {
    log.push(`caught ${(e as Error).message}`);
    throw e;
  }
}

describe('runFlow', () => {
  it('returns the result synchronously when every answer is a value', () => {
    const log: string[] = [];
    const r = runFlow(
      addTwo(
        () => 2,
        () => 3,
        log,
      ),
    );
    expect(r).toBe(5); // not a promise
    expect(log).toEqual(['x=2', 'y=3']);
  });

  it('throws synchronously, after the flow saw the error, when a value answer makes it fail', () => {
    const log: string[] = [];
    expect(() =>
      runFlow(
        addTwo(
          () => 2,
          () => -3,
          log,
        ),
      ),
    ).toThrow('negative');
    expect(log).toEqual(['x=2', 'y=-3', 'caught negative']);
  });

  it('returns a promise of the same result from the first promise answer on', async () => {
    const log: string[] = [];
    const r = runFlow(
      addTwo(
        () => 2,
        () => Promise.resolve(3),
        log,
      ),
    );
    expect(r).toBeInstanceOf(Promise);
    expect(log).toEqual(['x=2']); // the rest waits for the promise
    await expect(r).resolves.toBe(5);
    expect(log).toEqual(['x=2', 'y=3']);
  });

  it('throws a rejected answer into the flow where it yielded, so the flow can handle it', async () => {
    const log: string[] = [];
    const r = runFlow(
      addTwo(
        () => Promise.resolve(1),
        () => Promise.reject(new Error('downstream down')),
        log,
      ),
    );
    await expect(r).rejects.toThrow('downstream down');
    expect(log).toEqual(['x=1', 'caught downstream down']);
  });

  it('continues synchronously within the async part after value answers', async () => {
    function* three(): Flow<string> {
      const a = yield* answer(Promise.resolve('a'));
      const b = yield* answer('b');
      const c = yield* answer(Promise.resolve('c'));
      return a + b + c;
    }
    await expect(runFlow(three())).resolves.toBe('abc');
  });
});

describe('answerBoth', () => {
  it('gives two values as they are, synchronously', () => {
    function* pair(): Flow<[number, string]> {
      return yield* answerBoth<number, string>(1, 'one');
    }
    expect(runFlow(pair())).toEqual([1, 'one']);
  });

  it('waits for both when either is a promise, both asked for before either answered', async () => {
    const asked: string[] = [];
    const ask = <T>(name: string, v: T) => {
      asked.push(name);
      return new Promise<T>((resolve) => setTimeout(() => resolve(v), 5));
    };
    function* pair(): Flow<[number, number]> {
      return yield* answerBoth(ask('a', 1), ask('b', 2));
    }
    const r = runFlow(pair());
    expect(asked).toEqual(['a', 'b']);
    await expect(r).resolves.toEqual([1, 2]);
  });
});

describe('settled', () => {
  it('passes a value through and refuses a promise, naming what answered', () => {
    expect(settled(7, 'ledger')).toBe(7);
    const p = Promise.resolve(7);
    expect(() => settled(p, 'ledger')).toThrow('ledger answered with a promise where a synchronous port was expected');
  });
});
