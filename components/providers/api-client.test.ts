import { describe, expect, it } from 'vitest';
import { ApiError, shouldRetry, withQuery } from './api-client';

describe('api client', () => {
  it('never retries a client error and retries server errors twice', () => {
    expect(shouldRetry(0, new ApiError(404, 'NotFound', 'x', 'r1'))).toBe(false);
    expect(shouldRetry(0, new ApiError(422, 'InvalidInput', 'x', 'r1'))).toBe(false);
    expect(shouldRetry(0, new ApiError(503, 'Unavailable', 'x', 'r1'))).toBe(true);
    expect(shouldRetry(1, new ApiError(0, 'NetworkError', 'x', null))).toBe(true);
    expect(shouldRetry(2, new ApiError(500, 'Internal', 'x', 'r1'))).toBe(false);
  });

  it('leaves empty parameters out of the query string', () => {
    expect(withQuery('/api/platform/sagas', { status: 'FAILED', cursor: undefined, transactionId: '' })).toBe(
      '/api/platform/sagas?status=FAILED',
    );
    expect(withQuery('/api/platform/queues')).toBe('/api/platform/queues');
  });
});
