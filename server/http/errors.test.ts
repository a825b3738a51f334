import { afterEach, describe, expect, it, vi } from 'vitest';
import { PlatformError } from '../platform/port';
import { toErrorResponse } from './errors';

describe('the API error mapper', () => {
  afterEach(() => vi.restoreAllMocks());

  it("logs a platform error's detail with the request id and sends only its safe message", async () => {
    const log = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const aws = Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/c/i is not authorized'), {
      name: 'AccessDenied',
      $metadata: { requestId: 'aws-req-9', httpStatusCode: 403 },
    });
    const error = new PlatformError('Forbidden', 'AWS denied ListQueues (AccessDenied) for your role');
    error.cause = Object.assign(new Error(`ListQueues: ${aws.message}`, { cause: aws }), { name: 'AccessDenied' });

    const res = toErrorResponse(error, 'req-42');

    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).not.toMatch(/arn:aws|\d{12}|not authorized/);
    expect(JSON.parse(text)).toEqual({
      error: { code: 'Forbidden', message: 'AWS denied ListQueues (AccessDenied) for your role', requestId: 'req-42' },
    });
    expect(log).toHaveBeenCalledTimes(1);
    const logged = JSON.parse(String(log.mock.calls[0]?.[0])) as Record<string, unknown>;
    expect(logged).toMatchObject({
      requestId: 'req-42',
      code: 'Forbidden',
      detail: {
        name: 'AccessDenied',
        message: `ListQueues: ${aws.message}`,
        cause: { name: 'AccessDenied', awsRequestId: 'aws-req-9', httpStatusCode: 403 },
      },
    });
  });

  it('logs nothing for a platform error without a cause (an expected outcome like NotFound)', () => {
    const log = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(toErrorResponse(new PlatformError('NotFound', 'no such saga'), 'req-1').status).toBe(404);
    expect(log).not.toHaveBeenCalled();
  });
});
