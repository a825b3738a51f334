import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { removeDataDir, tempDataDir } from '@/infra/embedded/test-support';

const dataDir = tempDataDir('admin');
const ctx = (params: Record<string, string> = {}) => ({ params: Promise.resolve(params) });
/** The admin's session (cookie and CSRF token), opened by load() for the local backend. */
let session = { cookie: '', csrfToken: '' };
const auth = () => ({ cookie: session.cookie, 'x-csrf-token': session.csrfToken });
const put = (body: unknown) =>
  new Request('http://127.0.0.1:3000/api/admin/traffic', {
    method: 'PUT',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...auth() },
  });
const get = () => new Request('http://127.0.0.1:3000/api/admin/traffic', { headers: auth() });

async function load(env: Record<string, string>) {
  vi.resetModules();
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  const traffic = await import('./route');
  const faults = await import('../faults/[fault]/route');
  const events = await import('../events/route');
  if (env.LEDGERLINE_BACKEND === 'local') {
    const { seededCaller, sessionCookieFor } = await import('@/server/auth/testing');
    session = await sessionCookieFor(seededCaller('admin'));
  }
  return { traffic, faults, events };
}

describe('admin API', () => {
  beforeEach(() => vi.unstubAllEnvs());
  afterAll(() => removeDataDir(dataDir));

  it('changes traffic knobs and reads them back', async () => {
    const { traffic } = await load({ LEDGERLINE_BACKEND: 'local', LEDGERLINE_DATA_DIR: dataDir });
    const res = await traffic.PUT(put({ rate: 42, poisonRatio: 0.1 }), ctx());
    expect(res.status).toBe(200);
    const got = (await (await traffic.GET(get(), ctx())).json()) as {
      rate: number;
      poisonRatio: number;
    };
    expect(got).toMatchObject({ rate: 42, poisonRatio: 0.1 });
  });

  it('answers 422 naming the field for an invalid knob', async () => {
    const { traffic } = await load({ LEDGERLINE_BACKEND: 'local', LEDGERLINE_DATA_DIR: dataDir });
    const res = await traffic.PUT(put({ poisonRatio: 2 }), ctx());
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { field: string; message: string } };
    expect(body.error.field).toBe('poisonRatio');
  });

  it('injects an outage on a saga step and clears every fault', async () => {
    const { faults } = await load({ LEDGERLINE_BACKEND: 'local', LEDGERLINE_DATA_DIR: dataDir });
    const post = (fault: string, body: unknown) =>
      faults.POST(
        new Request(`http://127.0.0.1:3000/api/admin/faults/${fault}`, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: auth(),
        }),
        ctx({ fault }),
      );
    const on = (await (await post('outage', { step: 'SettlePayment' })).json()) as { outageStep: string | null };
    expect(on.outageStep).toBe('SettlePayment');
    expect((await post('outage', { step: 'Teleport' })).status).toBe(422);
    expect((await post('meteor', {})).status).toBe(404);
    const off = (await (await post('clear', {})).json()) as { outageStep: string | null; poisonRatio: number };
    expect(off).toMatchObject({ outageStep: null, poisonRatio: 0 });
  });

  it('turns the processor outage on, refuses a body naming an unknown field, and clears it', async () => {
    const { faults } = await load({ LEDGERLINE_BACKEND: 'local', LEDGERLINE_DATA_DIR: dataDir });
    const post = (fault: string, body: unknown) =>
      faults.POST(
        new Request(`http://127.0.0.1:3000/api/admin/faults/${fault}`, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: auth(),
        }),
        ctx({ fault }),
      );
    const on = (await (await post('processor-outage', {})).json()) as { processorOutage: boolean };
    expect(on.processorOutage).toBe(true);
    const bad = await post('processor-outage', { minutes: 5 });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/minutes/);
    const off = (await (await post('clear', {})).json()) as { processorOutage: boolean };
    expect(off.processorOutage).toBe(false);
  });

  it('queues raw events for the engine', async () => {
    const { events } = await load({ LEDGERLINE_BACKEND: 'local', LEDGERLINE_DATA_DIR: dataDir });
    const res = await events.POST(
      new Request('http://127.0.0.1:3000/api/admin/events', {
        method: 'POST',
        body: JSON.stringify({ events: ['{"broken', { id: 'x' }] }),
        headers: auth(),
      }),
      ctx(),
    );
    expect(await res.json()).toEqual({ queued: 2 });
  });

  it('refuses everything with 403 unless the backend is local', async () => {
    const { traffic } = await load({
      LEDGERLINE_BACKEND: 'aws',
      LEDGERLINE_SESSION_SECRET: 'x'.repeat(40),
      LEDGERLINE_ALB_ARN:
        'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/console/0123456789abcdef',
      AWS_REGION: 'us-east-1',
      LEDGERLINE_AUDIT_TABLE: 'ledgerline-test-console-audit',
      LEDGERLINE_STATE_TABLE: 'ledgerline-test-console-state',
      LEDGERLINE_DATA_DIR: dataDir,
    });
    expect((await traffic.GET(get(), ctx())).status).toBe(403);
    expect((await traffic.PUT(put({ rate: 1 }), ctx())).status).toBe(403);
  });

  it('refuses a cross-site request', async () => {
    const { traffic } = await load({ LEDGERLINE_BACKEND: 'local', LEDGERLINE_DATA_DIR: dataDir });
    const req = new Request('http://127.0.0.1:3000/api/admin/traffic', {
      method: 'PUT',
      body: '{"rate":1}',
      headers: { origin: 'https://evil.example' },
    });
    expect((await traffic.PUT(req, ctx())).status).toBe(403);
  });
});
