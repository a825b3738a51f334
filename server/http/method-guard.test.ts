import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody } from './errors';
import { installMethodGuard } from './method-guard';

let server: http.Server;
let port = 0;

function send(method: string): Promise<{ status: number; allow: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/audit', method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  installMethodGuard();
  installMethodGuard(); // idempotent
  server = http.createServer((_req, res) => res.end('routed'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('installMethodGuard: methods Next cannot route get 405, never 5xx', () => {
  // Node's own parser answers tokens it does not know (TRACK, FOO) 400 before any listener runs.
  it.each(['TRACE', 'PROPFIND', 'PURGE', 'MKCOL'])('%s → 405 with Allow and a JSON body naming it', async (method) => {
    const response = await send(method);
    expect(response.status).toBe(405);
    expect(response.allow).toBe('DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT');
    const { error } = JSON.parse(response.body) as ApiErrorBody;
    expect(error).toMatchObject({ code: 'MethodNotAllowed', field: 'method' });
    expect(error.message).toBe(`method: ${method} is not supported`);
  });

  it.each(['GET', 'POST', 'DELETE'])('%s reaches the server as before', async (method) => {
    expect(await send(method)).toMatchObject({ status: 200, body: 'routed' });
  });
});
