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

/** `action` names what we tried ("StartMessageMoveTask on ledgerline-staging-processing-dlq"). */
export function mapAwsError(error: unknown, action: string): Error {
  if (error instanceof PlatformError) return error;
  if (!(error instanceof Error)) return new Error(`${action} failed: ${String(error)}`);
  const e = error as Error & AwsLikeError;
  const name = e.name;
  const detail = `${action}: ${name}: ${e.message}`;
  if (throttling.has(name) || e.$retryable?.throttling || e.$metadata?.httpStatusCode === 429) {
    return new PlatformError(
      'Throttled',
      `AWS is throttling requests (${detail}); retry shortly`,
      undefined,
      retryAfter(e),
    );
  }
  if (forbidden.has(name)) return new PlatformError('Forbidden', `AWS denied this for your role (${detail})`);
  if (notFound.has(name)) return new PlatformError('NotFound', detail);
  // SQS answers a second message-move task on a queue with UnsupportedOperation / InvalidParameterValue
  // "... there is already an active task"; that is a conflict, not bad input.
  if (/already (an )?(active|running|in progress)|active (message )?move task/i.test(e.message)) {
    return new PlatformError('Conflict', detail);
  }
  if (conflict.has(name)) return new PlatformError('Conflict', detail);
  if (invalid.has(name) || name === 'UnsupportedOperation') return new PlatformError('Invalid', detail);
  if (
    e.$fault === 'server' ||
    name === 'ServiceUnavailable' ||
    name === 'InternalFailure' ||
    name === 'InternalError' ||
    /TimeoutError|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|NetworkingError/.test(name)
  ) {
    return new PlatformError('Unavailable', `AWS did not answer (${detail})`);
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
