import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { errorOf } from '@/test/api-error';
import { chunkedBody, streamedInit } from '@/test/chunked-body';
import { routeContext, seededCaller, testRequest } from '../auth/testing';
import { DEFAULT_MAX_BODY_BYTES } from './body';
import { route } from './route';

await vi.hoisted(async () => {
  (await import('@/server/platform/local/test-env')).localConsoleEnv('body');
});

const caller = seededCaller('operator');
const schema = z.object({ note: z.string() });

async function withBody(body: BodyInit, headers: Record<string, string> = {}): Promise<Request> {
  const base = await testRequest('/api/x', { body: '{}', caller, headers });
  return new Request(base.url, streamedInit({ method: 'POST', headers: base.headers, body }));
}

describe('route(): body size limit, checked before parsing', () => {
  let ran = 0;
  const handler = route({ permission: 'queue.redrive', schema }, () => {
    ran += 1;
    return { ok: true };
  });

  it('refuses a declared 30 MB body with 413 naming body, even before the session is checked', async () => {
    const request = await withBody('{}', { 'content-length': String(30 * 1024 * 1024) });
    const response = await handler(request, routeContext());
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toMatchObject({ code: 'PayloadTooLarge', field: 'body' });
    const anonymous = new Request(request.url, { method: 'POST', headers: { 'content-length': '31457280' } });
    expect((await handler(anonymous, routeContext())).status).toBe(413);
    expect(ran).toBe(0);
  });

  it('refuses a 30 MB chunked body at the limit without reading the rest', async () => {
    const { stream, state } = chunkedBody(30 * 1024 * 1024);
    const response = await handler(await withBody(stream), routeContext());
    expect(response.status).toBe(413);
    expect((await errorOf(response)).message).toBe('body: the request body must be at most 256 kB');
    expect(state.pulled).toBeLessThan(1024 * 1024); // of 30 MB
    expect(ran).toBe(0);
  });

  it('accepts a body at the limit, and a larger one where the route raises it', async () => {
    const note = 'x'.repeat(DEFAULT_MAX_BODY_BYTES - 20);
    const atLimit = await handler(await withBody(JSON.stringify({ note })), routeContext());
    expect(atLimit.status).toBe(200);
    const roomy = route({ permission: 'queue.redrive', schema, maxBodyBytes: 1024 * 1024 }, () => ({ ok: true }));
    const { stream } = chunkedBody(512 * 1024);
    // 512 kB of spaces is not JSON: the larger limit let it through to the parser (400), not 413.
    expect((await roomy(await withBody(stream), routeContext())).status).toBe(400);
    const big = JSON.stringify({ note: 'y'.repeat(600 * 1024) });
    expect((await roomy(await withBody(big), routeContext())).status).toBe(200);
    expect((await handler(await withBody(big), routeContext())).status).toBe(413);
  });

  it('refuses a malformed Content-Length with 400 naming it', async () => {
    const response = await handler(await withBody('{}', { 'content-length': '12abc' }), routeContext());
    expect(response.status).toBe(400);
    expect((await errorOf(response)).field).toBe('content-length');
  });
});
