/**
 * Domain code written once for two kinds of host. The Lambda functions' ports answer with
 * promises (DynamoDB, EventBridge); the embedded platform's answer with values (SQLite, in the
 * batch's transaction). An `async` function would make every answer a promise and every step a
 * chain of microtasks (about 12 of the 29 KB the embedded engine allocated per saga). So the
 * steps and the processor are generators (a Flow) that yield each port answer and get its value
 * back, and
 * `runFlow` drives them: synchronously while the answers are values, asynchronously from the
 * first promise on.
 *
 *   function* reserve(deps): Flow<number> {
 *     const account = yield* answer(deps.ledger.getAccount(id)); // typed: Account | null
 *     ...
 *   }
 *   runFlow(reserve(deps)) // a value with synchronous ports, a promise with asynchronous ones
 */

/** A port's answer: the value itself, or a promise of it. */
export type MaybePromise<T> = T | PromiseLike<T>;

/** A generator that yields port answers and returns T. */
export type Flow<T> = Generator<unknown, T, unknown>;

/**
 * Hands a port answer to the driver and evaluates to its value (the promise's value, or the
 * value itself); a rejected promise is thrown at this point, as `await` would.
 */
export function* answer<T>(value: MaybePromise<T>): Generator<MaybePromise<T>, T, unknown> {
  return (yield value) as T;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    v !== null &&
    (typeof v === 'object' || typeof v === 'function') &&
    typeof (v as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs a flow to its end. Returns its result directly when every answer was a value (an error
 * is thrown directly too), or a promise from the first answer that was a promise on.
 */
export function runFlow<T>(flow: Flow<T>): MaybePromise<T> {
  let step = flow.next();
  while (!step.done) {
    if (isThenable(step.value)) return continueAsync(flow, step.value);
    step = flow.next(step.value);
  }
  return step.value;
}

async function continueAsync<T>(flow: Flow<T>, first: PromiseLike<unknown>): Promise<T> {
  let pending = first;
  for (;;) {
    let rejected = false;
    let value: unknown;
    try {
      value = await pending;
    } catch (e) {
      rejected = true;
      value = e;
    }
    // The flow sees a rejection where it yielded, and may catch it.
    let step = rejected ? flow.throw(value) : flow.next(value);
    for (;;) {
      if (step.done) return step.value;
      const v = step.value;
      if (isThenable(v)) {
        pending = v;
        break;
      }
      step = flow.next(v);
    }
  }
}

/** The value of a MaybePromise known to be synchronous here; throws if a promise arrives instead. */
export function settled<T>(value: MaybePromise<T>, what: string): T {
  if (isThenable(value)) throw new Error(`${what} answered with a promise where a synchronous port was expected`);
  return value;
}

/** Two answers asked for together (as Promise.all does): the values, or one promise of both. */
export function* answerBoth<A, B>(a: MaybePromise<A>, b: MaybePromise<B>): Generator<unknown, [A, B], unknown> {
  if (isThenable(a) || isThenable(b)) return (yield Promise.all([a, b])) as [A, B];
  return [a, b];
}
