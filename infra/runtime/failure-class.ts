/**
 * Failure classes of dead letters: what failed (error type), where (step), how (the error message
 * with its ids, uuids, amounts, numbers, timestamps and emails stripped) and whether another
 * attempt can succeed (verdict), from the platform's error taxonomy. Messages that failed the same
 * way share a class id (a stable hash of the normalised key), so a DLQ of 100,000 dead letters
 * reads as a handful of classes. Pure: the processor Lambda, the embedded platform and the console
 * all classify with this one function.
 */
import { lambdaInvokeErrors, sagaErrors } from '../saga/definition';

export type FailureVerdict = 'retryable' | 'permanent';

export interface FailureClass {
  /** 16 hex chars: hash of `errorType`, `step` and `normalisedMessage`. */
  classId: string;
  errorType: string;
  /** Where it failed: a processor phase (`parse`, `claim`, `start-saga`, `process`) or a saga step. */
  step: string;
  normalisedMessage: string;
  verdict: FailureVerdict;
}

/** Processor phases a queue message can fail in (saga steps use their own names). */
export const processorSteps = ['parse', 'claim', 'start-saga', 'process', 'receive'] as const;

/**
 * The verdict of every error type the processor, the processor hosts and the saga steps raise
 * (failure-class.test.ts enumerates them from the code: a new error without a verdict fails it).
 * An error type not listed here is classified retryable (see `verdictOf`): an unknown failure may be
 * a fault of the platform that a fix resolves, so it is offered for redrive, never silently dropped.
 */
export const errorVerdicts: Readonly<Record<string, FailureVerdict>> = {
  // infra/runtime/processor.ts
  PoisonMessageError: 'permanent', // the body can never be processed (or conflicts with its saga)
  ClaimConflictError: 'retryable', // another worker held the idempotency claim
  // infra/embedded/processor-host.ts
  ProcessorOutage: 'retryable', // the outage fault: the processor was down
  // infra/embedded/queues.ts: received maxReceiveCount times without an answer (worker lost in flight)
  MaxReceiveCountExceeded: 'retryable',
  // infra/saga/definition.ts sagaErrors, thrown as StepError by infra/runtime/saga-steps.ts / ledger-errors.ts
  [sagaErrors.transient]: 'retryable',
  [sagaErrors.permanent]: 'permanent',
  [sagaErrors.insufficientFunds]: 'permanent',
  // Step Functions / Lambda errors the saga's retry policies name
  'States.Timeout': 'retryable',
  'States.TaskFailed': 'retryable',
  ...Object.fromEntries(lambdaInvokeErrors.map((e) => [e, 'retryable' as const])),
  // AWS SDK errors of the processor Lambda's calls (StartExecution, DynamoDB idempotency)
  ThrottlingException: 'retryable',
  TooManyRequestsException: 'retryable',
  ProvisionedThroughputExceededException: 'retryable',
  RequestLimitExceeded: 'retryable',
  ServiceUnavailable: 'retryable',
  InternalServerError: 'retryable',
  InternalServerException: 'retryable',
  TimeoutError: 'retryable',
  ExecutionLimitExceeded: 'retryable',
  IdempotencyItemAlreadyExistsError: 'retryable',
  IdempotencyAlreadyInProgressError: 'retryable',
  IdempotencyPersistenceLayerError: 'retryable',
  IdempotencyValidationError: 'permanent', // same transaction id, other content (payload validation)
  // Errors the SDK raises for a request that can never pass
  AccessDeniedException: 'retryable', // a permission fix makes it pass: redrive after the fix
  ValidationException: 'permanent',
  InvalidExecutionInput: 'permanent',
  InvalidName: 'permanent',
  StateMachineDoesNotExist: 'retryable',
  // A plain Error (e.g. "batch rolled back", DescribeExecution without input): retried by design
  Error: 'retryable',
};

export function verdictOf(errorType: string): FailureVerdict {
  return Object.hasOwn(errorVerdicts, errorType) ? errorVerdicts[errorType]! : 'retryable';
}

/** The step a queue message failed in, from its error (when the host does not say). */
function stepOf(errorType: string, message: string): string {
  switch (errorType) {
    case 'PoisonMessageError':
      return /already has a saga/.test(message) ? 'start-saga' : 'parse';
    case 'ClaimConflictError':
      return 'claim';
    case 'MaxReceiveCountExceeded':
      return 'receive';
    case 'ProcessorOutage':
      return 'process';
    default:
      return 'start-saga';
  }
}

const PATTERNS: [RegExp, string][] = [
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '<email>'],
  [/\barn:[^\s"',;)]+/g, '<arn>'],
  // Ids: any token that mixes letters and digits (tx-00042, acct-7, sha 9f3a...), with separators.
  [/\b(?=[\w.:-]*[A-Za-z])(?=[\w.:-]*\d)[A-Za-z0-9][\w.:-]*/g, '<id>'],
  [/[-+]?\b\d+(?:[.,]\d+)*\b/g, '<n>'],
];

/** The message with ids, uuids, amounts, numbers, timestamps and emails replaced by placeholders. */
export function normaliseMessage(message: string): string {
  let out = message;
  for (const [re, token] of PATTERNS) out = out.replace(re, token);
  return out.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** Two 32-bit FNV-1a hashes with different seeds, hex: stable across processes and runtimes. */
export function stableHash(value: string): string {
  const fnv = (seed: number) => {
    let h = seed;
    for (let i = 0; i < value.length; i++) {
      h ^= value.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h.toString(16).padStart(8, '0');
  };
  return fnv(0x811c9dc5) + fnv(0x050c5d1f);
}

/** Splits a recorded error text `Name: message` (how both hosts record a failure) into its parts. */
export function splitErrorText(text: string): { errorType: string; message: string } {
  const m = /^([A-Za-z][\w.]{0,80}): ([\s\S]*)$/.exec(text);
  if (m) return { errorType: m[1]!, message: m[2]! };
  if (/^receive count \d+ reached maxReceiveCount \d+$/.test(text))
    return { errorType: 'MaxReceiveCountExceeded', message: text };
  return { errorType: 'Error', message: text };
}

/** Classifies a failure given its error type and message; `step` when the host knows it. */
export function classify(errorType: string, message: string, step?: string): FailureClass {
  const where = step ?? stepOf(errorType, message);
  const normalisedMessage = normaliseMessage(message);
  return {
    classId: stableHash(`${errorType}\u0000${where}\u0000${normalisedMessage}`),
    errorType,
    step: where,
    normalisedMessage,
    verdict: verdictOf(errorType),
  };
}

/** Classifies a thrown value (the processor Lambda) or a recorded error text (the embedded queues). */
export function classifyFailure(error: unknown, step?: string): FailureClass {
  if (error instanceof Error) return classify(error.name || 'Error', error.message, step);
  const { errorType, message } = splitErrorText(String(error));
  return classify(errorType, message, step);
}
