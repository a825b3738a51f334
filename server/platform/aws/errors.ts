import 'server-only';
import { PlatformError } from '../port';

/**
 * Maps AWS SDK v3 errors to the port's PlatformError. Unknown client errors are rethrown as they
 * are (the route's error mapper logs them and answers 500): nothing is silently swallowed.
 */
const throttling = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceededException',
  'SlowDown',
  'OverLimit',
]);
const forbidden = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'NotAuthorized',
  'AuthorizationError',
  'KmsAccessDenied',
  'KMS.AccessDeniedException',
  'ExpiredToken',
  'ExpiredTokenException',
]);
const notFound = new Set([
  'ResourceNotFoundException',
  'ResourceNotFound',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'ExecutionDoesNotExist',
  'StateMachineDoesNotExist',
]);
const conflict = new Set([
  'ConflictException',
  'ResourceAlreadyExistsException',
  'ExecutionAlreadyExists',
  'ExecutionNotRedrivable',
  'InvalidStateException',
  'IllegalStatusException',
  'TransactionConflictException',
  'ConditionalCheckFailedException',
  // EventBridge: more than 10 active replays in the region.
  'LimitExceededException',
]);
const invalid = new Set([
  'ValidationException',
  'ValidationError',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'InvalidParameterCombination',
  'InvalidAttributeName',
  'InvalidAttributeValue',
  'InvalidArn',
  'InvalidName',
  'InvalidToken',
  'InvalidExecutionInput',
  'InvalidEventPatternException',
  'InvalidAddress',
  'InvalidIdFormat',
  'ReceiptHandleIsInvalid',
]);

interface AwsLikeError {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $retryable?: { throttling?: boolean };
  $response?: { headers?: Record<string, string | undefined> };
  $metadata?: { httpStatusCode?: number };
}

function retryAfter(e: AwsLikeError): number {
  const header = e.$response?.headers?.['retry-after'];
  const seconds = header ? Number(header) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 2;
}

/** ARNs and endpoint URLs carry account ids: they stay in the server log, never in a client message. */
function redact(text: string): string {
  return text.replace(/arn:aws[\w-]*:[^\s,;()"']*/g, '<arn>').replace(/https?:\/\/[^\s,;()"']+/g, '<url>');
}

/** The AWS error name as shown to a client: an identifier, nothing else. */
function safeName(name: string): string {
  return /^[\w.:-]{1,100}$/.test(name) ? name : 'Error';
}

/**
 * Gives a client-facing error the full detail of what failed, for the server log only: its `cause`
 * is an Error named like the AWS error whose message is `${context}: ${AWS message}` (ARNs and
 * all), with the original AWS error as its own cause (request id, HTTP status). server/http logs
 * it with the request id; the response carries only the safe message.
 */
export function withAwsDetail<E extends Error>(target: E, context: string, error: unknown): E {
  const original = error instanceof Error ? error : undefined;
  const detail = new Error(`${context}: ${original ? original.message : String(error)}`, { cause: error });
  detail.name = original?.name ?? 'Error';
  target.cause = detail;
  return target;
}

/**
 * `action` names what we tried ("StartMessageMoveTask on ledgerline-staging-processing-dlq").
 * The PlatformError's message names the action and the AWS error name with a hint; the raw AWS
 * message (which can hold role and resource ARNs, hence the account id) goes to `cause` only.
 */
export function mapAwsError(error: unknown, action: string): Error {
  if (error instanceof PlatformError) return error;
  if (!(error instanceof Error)) return new Error(`${action} failed: ${String(error)}`);
  const e = error as Error & AwsLikeError;
  const name = e.name;
  const shown = `${redact(action)} (${safeName(name)})`;
  const platformError = (...args: ConstructorParameters<typeof PlatformError>) =>
    withAwsDetail(new PlatformError(...args), action, error);
  if (throttling.has(name) || e.$retryable?.throttling || e.$metadata?.httpStatusCode === 429) {
    return platformError('Throttled', `AWS is throttling ${shown}; retry shortly`, undefined, retryAfter(e));
  }
  if (forbidden.has(name)) {
    return platformError(
      'Forbidden',
      `AWS denied ${shown} for your role; the IAM policy of your role does not allow it (details in the server log under this request id)`,
    );
  }
  if (notFound.has(name)) return platformError('NotFound', `${shown}: it does not exist (or no longer exists)`);
  // SQS answers a second message-move task on a queue with UnsupportedOperation / InvalidParameterValue
  // "... there is already an active task"; that is a conflict, not bad input.
  if (/already (an )?(active|running|in progress)|active (message )?move task/i.test(e.message)) {
    return platformError('Conflict', `${shown}: a task is already running on this resource; wait for it to finish`);
  }
  if (conflict.has(name)) {
    return platformError('Conflict', `${shown}: conflicts with the resource's current state; reload and retry`);
  }
  if (invalid.has(name) || name === 'UnsupportedOperation') {
    return platformError(
      'Invalid',
      `AWS rejected ${shown} as invalid (details in the server log under this request id)`,
    );
  }
  if (
    e.$fault === 'server' ||
    name === 'ServiceUnavailable' ||
    name === 'InternalFailure' ||
    name === 'InternalError' ||
    /TimeoutError|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|NetworkingError/.test(name)
  ) {
    return platformError('Unavailable', `AWS did not answer ${shown}; retry shortly`);
  }
  return error;
}

/** Runs one AWS call and maps its error. */
export async function call<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw mapAwsError(error, action);
  }
}

/** True when `error` (mapped or not) means "does not exist". */
export function isNotFound(error: unknown): boolean {
  return error instanceof PlatformError && error.code === 'NotFound';
}

/**
 * The read that follows a write AWS ACCEPTED (StartReplay, StartExecution, StartMessageMoveTask,
 * …). The write happened, so a failed or empty read must not fail the call: the ops layer would
 * audit a failure and release the idempotency key, and the operator's retry would act twice.
 * Answers `known(why)` instead (what the accepted call tells us; later reads fill in the rest)
 * and logs the read's error on the server. `why` is the error's code or name, never AWS's text.
 */
export async function readAfterAcceptedWrite<T>(
  write: string,
  read: () => Promise<T | null | undefined>,
  known: (why: string) => T | Promise<T>,
): Promise<T> {
  let why: string;
  let detail: string;
  try {
    const result = await read();
    if (result !== null && result !== undefined) return result;
    why = detail = 'not found';
  } catch (error) {
    why = error instanceof PlatformError ? error.code : error instanceof Error ? error.name : 'error';
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  }
  console.warn(
    JSON.stringify({ msg: `the read after ${write} failed; answering with what the accepted call gives`, why, detail }),
  );
  return known(why);
}
