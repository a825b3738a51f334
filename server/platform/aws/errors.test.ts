import { describe, expect, it, vi } from 'vitest';
import { PlatformError } from '../port';
import { mapAwsError, readAfterAcceptedWrite } from './errors';

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

  it('keeps ARNs, account ids and the raw AWS message out of the client message, and in the logged detail', () => {
    const arn = 'arn:aws:sts::123456789012:assumed-role/ledgerline-console/i-0abc';
    const queueArn = 'arn:aws:sqs:us-east-1:123456789012:ledgerline-staging-processing-dlq';
    const raw = `User: ${arn} is not authorized to perform: sqs:StartMessageMoveTask on resource: ${queueArn}`;
    const original = awsError('AccessDenied', raw, { $metadata: { requestId: 'aws-req-1', httpStatusCode: 403 } });
    const mapped = mapAwsError(original, 'StartMessageMoveTask on ledgerline-staging-processing-dlq');
    expect(mapped).toMatchObject({ code: 'Forbidden' });
    expect(mapped.message).not.toMatch(/arn:aws|\d{12}/);
    expect(mapped.message).not.toContain('not authorized to perform');
    expect(mapped.message).toContain('StartMessageMoveTask on ledgerline-staging-processing-dlq');
    expect(mapped.message).toContain('AccessDenied');
    const detail = mapped.cause as Error;
    expect(detail).toBeInstanceOf(Error);
    expect(detail.name).toBe('AccessDenied');
    expect(detail.message).toContain(arn);
    expect(detail.message).toContain(queueArn);
    expect(detail.cause).toBe(original);
  });

  it.each([
    ['ThrottlingException', 'Throttled', {}],
    ['ResourceNotFoundException', 'NotFound', {}],
    ['ConflictException', 'Conflict', {}],
    ['ValidationException', 'Invalid', {}],
    ['InternalError', 'Unavailable', { $fault: 'server' }],
  ])('keeps ARNs out of the client message of %s (%s)', (name, code, extra) => {
    const raw =
      'Value arn:aws:states:us-east-1:123456789012:execution:saga:tx-1 at https://sqs.us-east-1.amazonaws.com/123456789012/q';
    const mapped = mapAwsError(awsError(name, raw, extra), 'DescribeExecution arn:aws:states:us-east-1:123456789012:x');
    expect(mapped).toMatchObject({ code });
    expect(mapped.message).not.toMatch(/arn:aws|\d{12}|amazonaws/);
    expect(mapped.message).toContain(name);
    expect((mapped.cause as Error).message).toContain(raw);
  });
});

describe('the read after a write AWS accepted', () => {
  it('answers the read when it succeeds, and what is known (with why) when it fails or finds nothing, logging the detail', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(
        await readAfterAcceptedWrite(
          'StartX',
          () => Promise.resolve('read'),
          () => 'known',
        ),
      ).toBe('read');
      expect(warn).not.toHaveBeenCalled();

      const throttled = mapAwsError(
        Object.assign(new Error('Rate exceeded for arn:aws:sqs:us-east-1:123456789012:q'), {
          name: 'ThrottlingException',
        }),
        'ListMessageMoveTasks',
      );
      const known = await readAfterAcceptedWrite(
        'StartX',
        () => Promise.reject(throttled),
        (why) => `known (${why})`,
      );
      expect(known).toBe('known (Throttled)');
      expect(String(warn.mock.calls[0]?.[0])).toContain('Rate exceeded');

      expect(
        await readAfterAcceptedWrite(
          'StartX',
          () => Promise.resolve(null),
          (why) => why,
        ),
      ).toBe('not found');
    } finally {
      warn.mockRestore();
    }
  });
});
