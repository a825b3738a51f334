import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { removeDataDir, tempDataDir } from '../../infra/embedded/test-support';

const dataDir = tempDataDir('admin-loopback');
const ctx = (params: Record<string, string> = {}) => ({ params: Promise.resolve(params) });

async function load() {
  vi.resetModules();
  vi.stubEnv('LEDGERLINE_BACKEND', 'local');
  vi.stubEnv('LEDGERLINE_DATA_DIR', dataDir);
  vi.stubEnv('LEDGERLINE_ADMIN_API', 'true');
  const admin = { ...(await import('./admin')), ...(await import('@/server/http/admin-guard')) };
  const db = await import('../../infra/embedded/db');
  const { createLocalPlatform } = await import('../platform/local/adapter');
  const { seededCaller, sessionCookieFor } = await import('@/server/auth/testing');
  session = await sessionCookieFor(seededCaller('admin'));
  const faults = await import('@/app/api/admin/faults/[fault]/route');
  const purge = await import('@/app/api/admin/dead-letters/purge/route');
  const platformDb = createLocalPlatform({ dataDir, region: 'us-east-1' }).db;
  return { admin, db, platformDb, faults, purge };
}

/** The admin's session (cookie and CSRF token), opened by load(). */
let session = { cookie: '', csrfToken: '' };

function post(path: string, body: unknown, headers: Record<string, string>) {
  return new Request(`http://127.0.0.1:3000${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: {
      'content-type': 'application/json',
      cookie: session.cookie,
      'x-csrf-token': session.csrfToken,
      ...headers,
    },
  });
}

async function errorOf(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string; field?: string } }).error;
}

describe('the admin API answers loopback requests only', () => {
  beforeEach(() => vi.unstubAllEnvs());
  afterAll(() => removeDataDir(dataDir));

  it('refuses a DNS-rebinding page (Origin equal to a non-loopback Host) with 403 and changes nothing', async () => {
    const { admin, faults } = await load();
    const before = admin.readKnobs();
    const res = await faults.POST(
      post(
        '/api/admin/faults/outage',
        { step: 'SettlePayment' },
        {
          host: 'rebind.attacker.example:3000',
          origin: 'http://rebind.attacker.example:3000',
          'sec-fetch-site': 'same-origin',
        },
      ),
      ctx({ fault: 'outage' }),
    );
    expect(res.status).toBe(403);
    const error = await errorOf(res);
    expect(error.code).toBe('AdminApiNotLoopback');
    expect(error.message).toMatch(/Host header/);
    expect(error.message).toContain('rebind.attacker.example:3000');
    expect(admin.readKnobs()).toEqual(before);
    expect(admin.readKnobs().outageStep).toBeNull();
  });

  it('refuses a request from another machine (non-loopback Host, no Origin) and purges nothing', async () => {
    const { db, platformDb, purge } = await load();
    const dlq = db.dlqOf('processing');
    platformDb
      .prepare(
        'INSERT INTO messages (queue, body, attributes, sent_at, enqueued_at, visible_at, dead, ingest_at) VALUES (?, ?, ?, 0, 0, 0, 1, 0)',
      )
      .run(dlq, '{"poison":true}', '{}');
    const count = () =>
      platformDb.prepare<[string], { n: number }>('SELECT count(*) AS n FROM messages WHERE queue = ?').get(dlq)?.n;
    expect(count()).toBe(1);
    const res = await purge.POST(
      post('/api/admin/dead-letters/purge', { queue: 'processing' }, { host: '192.168.1.20:3000' }),
      ctx(),
    );
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('AdminApiNotLoopback');
    expect(count()).toBe(1);
  });

  it('answers a request to 127.0.0.1 with any port, with or without a loopback Origin', async () => {
    const { admin, faults } = await load();
    const on = await faults.POST(
      post('/api/admin/faults/outage', { step: 'SettlePayment' }, { host: '127.0.0.1:3000' }),
      ctx({ fault: 'outage' }),
    );
    expect(on.status).toBe(200);
    expect(admin.readKnobs().outageStep).toBe('SettlePayment');
    const off = await faults.POST(
      post(
        '/api/admin/faults/outage',
        { step: null },
        { host: '127.0.0.1:3100', origin: 'http://127.0.0.1:3100', 'sec-fetch-site': 'same-origin' },
      ),
      ctx({ fault: 'outage' }),
    );
    expect(off.status).toBe(200);
    expect(admin.readKnobs().outageStep).toBeNull();
  });

  it('refuses a loopback Host when the Origin names another host', async () => {
    const { admin, faults } = await load();
    const res = await faults.POST(
      post(
        '/api/admin/faults/outage',
        { step: 'SettlePayment' },
        { host: '127.0.0.1:3000', origin: 'http://evil.example' },
      ),
      ctx({ fault: 'outage' }),
    );
    expect(res.status).toBe(403);
    const error = await errorOf(res);
    expect(error).toMatchObject({ code: 'AdminApiNotLoopback', field: 'origin' });
    expect(admin.readKnobs().outageStep).toBeNull();
  });

  it.each([
    ['127.0.0.1:3000', true],
    ['localhost:3000', true],
    ['LOCALHOST', true],
    ['[::1]:3000', true],
    ['127.0.0.1', true],
    ['rebind.attacker.example:3000', false],
    ['localhost.attacker.example', false],
    ['127.0.0.1.nip.io:3000', false],
    ['0.0.0.0:3000', false],
    ['192.168.1.20', false],
    ['[::]:3000', false],
    ['evil@127.0.0.1', false],
    ['', false],
  ])('treats Host %j as loopback: %s', async (host, allowed) => {
    const { admin } = await load();
    const request = new Request('http://127.0.0.1:3000/api/admin/traffic', { headers: { host } });
    if (allowed) expect(() => admin.assertLoopbackRequest(request)).not.toThrow();
    else expect(() => admin.assertLoopbackRequest(request)).toThrow(/Host header/);
  });
});
