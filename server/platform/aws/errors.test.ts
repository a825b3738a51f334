import { describe, expect, it } from 'vitest';
import { PlatformError } from '../port';
import { mapAwsError } from './errors';

function awsError(name: string, message = 'boom', extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: {}, ...extra });
}

describe('AWS error mapping', () => {
  it.each([
    ['ThrottlingException', 'Throttled'],
    ['RequestThrottled', 'Throttled'],
    ['ProvisionedThroughputExceededException', 'Throttled'],
    ['AccessDeniedException', 'Forbidden'],
    ['AccessDenied', 'Forbidden'],
    ['ResourceNotFoundException', 'NotFound'],
    ['QueueDoesNotExist', 'NotFound'],
    ['ExecutionDoesNotExist', 'NotFound'],
    ['ConflictException', 'Conflict'],
    ['ResourceAlreadyExistsException', 'Conflict'],
    ['ExecutionAlreadyExists', 'Conflict'],
    ['LimitExceededException', 'Conflict'],
    ['ValidationException', 'Invalid'],
    ['InvalidParameterValue', 'Invalid'],
  ])('maps %s to %s', (name, code) => {
    const mapped = mapAwsError(awsError(name), 'SomeCall');
    expect(mapped).toBeInstanceOf(PlatformError);
    expect(mapped).toMatchObject({ code });
    expect(mapped.message).toContain('SomeCall');
  });

  it('takes Retry-After from the response when AWS sends one, else 2 s', () => {
    const withHeader = mapAwsError(
      awsError('ThrottlingException', 'slow down', { $response: { headers: { 'retry-after': '7' } } }),
      'x',
    );
    expect(withHeader).toMatchObject({ code: 'Throttled', retryAfterSeconds: 7 });
    expect(mapAwsError(awsError('SomethingElse', 'x', { $retryable: { throttling: true } }), 'x')).toMatchObject({
      code: 'Throttled',
      retryAfterSeconds: 2,
    });
  });

  it('maps a second message-move task on a queue to Conflict, whatever the error name', () => {
    const mapped = mapAwsError(
      awsError('UnsupportedOperation', 'There is already an active message move task for this queue'),
      'StartMessageMoveTask',
    );
    expect(mapped).toMatchObject({ code: 'Conflict' });
  });

  it('maps server faults to Unavailable and rethrows unknown client errors unchanged', () => {
    expect(mapAwsError(awsError('InternalServerError', 'x', { $fault: 'server' }), 'x')).toMatchObject({
      code: 'Unavailable',
    });
    const unknown = awsError('WeirdNewError');
    expect(mapAwsError(unknown, 'x')).toBe(unknown);
  });
});
