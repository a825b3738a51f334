import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET as sessionRoute } from '@/app/api/auth/session/route';
import { consoleState } from '../db/state';
import { startConsoleDynamo, type ConsoleDynamo } from '../db/testing/console-dynamo';
import { route } from '../http/route';
import { ALB_HEADER, albKeyUrl } from './alb';
import { parseCookies } from './cookies';
import { CSRF_COOKIE, CSRF_HEADER } from './csrf.schema';
import { getSession } from './session';
import { routeContext, TEST_ORIGIN } from './testing';

/**
 * The aws backend: identity from the ALB's ES256-signed OIDC token (x-amzn-oidc-data). The
 * tokens here are real ES256 JWTs signed with jose; the only stand-in is AWS's public-key
 * endpoint (no network here), served from the generated key for exactly the URL the ALB uses.
 */
const ALB_ARN = vi.hoisted(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- vi.hoisted runs before ESM imports
  const { mkdtempSync } = require('node:fs') as { mkdtempSync: (prefix: string) => string };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- same
  const { tmpdir } = require('node:os') as { tmpdir: () => string };
  const arn = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/ledgerline/0123456789abcdef';
  process.env.LEDGERLINE_DATA_DIR = mkdtempSync(`${tmpdir()}/ledgerline-alb-`);
  process.env.LEDGERLINE_BACKEND = 'aws';
  process.env.AWS_REGION = 'us-east-1';
  process.env.LEDGERLINE_SESSION_SECRET = 'alb-session-test-secret-0123456789abcdef';
  process.env.LEDGERLINE_ALB_ARN = arn;
  // The console's state is in DynamoDB with the aws backend: dynalite, started in beforeAll.
  process.env.LEDGERLINE_AUDIT_TABLE = 'ledgerline-test-console-audit';
  process.env.LEDGERLINE_STATE_TABLE = 'ledgerline-test-console-state';
  return arn;
});
const FOREIGN_ALB = 'arn:aws:elasticloadbalancing:us-east-1:999999999999:loadbalancer/app/attacker/fedcba9876543210';
const KID = 'alb-key-1';

let privateKey: CryptoKey;
let dynamo: ConsoleDynamo;

beforeAll(async () => {
  dynamo = await startConsoleDynamo('ledgerline-test');
  // The SDK's own endpoint override (read when the state's client is created, on first use).
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  const pem = await exportSPKI(pair.publicKey);
  const keyUrl = albKeyUrl('us-east-1', KID);
  vi.stubGlobal('fetch', (input: string | URL | Request) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return Promise.resolve(url === keyUrl ? new Response(pem) : new Response('not found', { status: 404 }));
  });
});
afterAll(async () => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
  await dynamo.close();
});

/** A token as the ALB issues it: ES256, kid + signer in the header, base64url padded with '='. */
async function albToken(signer: string | undefined, role = 'operator', subject = 'oidc-user-1'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({ email: 'omar@bank.example', 'custom:ledgerline_role': role })
    .setProtectedHeader({ alg: 'ES256', kid: KID, ...(signer ? { signer } : {}), typ: 'JWT' })
    .setSubject(subject)
    .setIssuedAt(now)
    .setExpirationTime(now + 120)
    .sign(privateKey);
  return jwt
    .split('.')
    .map((part) => part + '='.repeat((4 - (part.length % 4)) % 4))
    .join('.');
}

function sessionRequest(token: string, https = false): Request {
  const headers = new Headers({ host: new URL(TEST_ORIGIN).host, [ALB_HEADER]: token });
  if (https) headers.set('x-forwarded-proto', 'https');
  return new Request(`${TEST_ORIGIN}/api/auth/session`, { headers });
}

describe('aws backend: who signed the ALB token', () => {
  it('gives a session for a token signed by the configured load balancer', async () => {
    const response = await sessionRoute(sessionRequest(await albToken(ALB_ARN)));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { caller: unknown }).caller).toEqual({
      id: 'oidc-user-1',
      name: 'omar@bank.example',
      role: 'operator',
    });
  });

  it("refuses a token signed for another account's load balancer in the same region (401)", async () => {
    const response = await sessionRoute(sessionRequest(await albToken(FOREIGN_ALB)));
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('refuses a token without a signer header (401)', async () => {
    expect((await sessionRoute(sessionRequest(await albToken(undefined)))).status).toBe(401);
  });
});

describe('aws backend: CSRF cookie for the console script', () => {
  const write = route({ permission: 'queue.redrive' }, () => Promise.resolve({ done: true }));

  function post(token: string, csrf: string | null): Request {
    const headers = new Headers({
      host: new URL(TEST_ORIGIN).host,
      origin: TEST_ORIGIN,
      'content-type': 'application/json',
      [ALB_HEADER]: token,
    });
    if (csrf !== null) headers.set(CSRF_HEADER, csrf);
    return new Request(`${TEST_ORIGIN}/api/x`, { method: 'POST', headers, body: '{}' });
  }

  it('sets a readable SameSite=Strict ll_csrf cookie whose value a POST echoes past the CSRF check', async () => {
    const token = await albToken(ALB_ARN);
    const response = await sessionRoute(sessionRequest(token));
    const [cookie, ...others] = response.headers.getSetCookie();
    expect(others).toEqual([]);
    expect(cookie).toMatch(new RegExp(`^${CSRF_COOKIE}=[^;]+; Path=/; SameSite=Strict; Max-Age=\\d+$`));
    const csrf = parseCookies(cookie!.split(';')[0]).get(CSRF_COOKIE)!;
    expect(csrf).toBe(((await response.json()) as { csrfToken: string }).csrfToken);

    expect((await write(post(token, csrf), routeContext())).status).toBe(200);
    const refused = await write(post(token, null), routeContext());
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { field: string } }).error.field).toBe(CSRF_HEADER);
  });

  it('marks the cookie Secure behind the TLS-terminating load balancer', async () => {
    const response = await sessionRoute(sessionRequest(await albToken(ALB_ARN), true));
    expect(response.headers.getSetCookie()[0]).toMatch(/; Secure$/);
  });
});

describe('aws backend: the role last asserted for each user', () => {
  const seen = (userId: string) => consoleState().seenRoles.lastSeen(userId);

  it('records the caller of a verified token, and a demotion as soon as a request carries it', async () => {
    const approver = await getSession(sessionRequest(await albToken(ALB_ARN, 'approver', 'oidc-recorded')));
    expect(approver?.caller.role).toBe('approver');
    expect(await seen('oidc-recorded')).toEqual({ id: 'oidc-recorded', name: 'omar@bank.example', role: 'approver' });

    await getSession(sessionRequest(await albToken(ALB_ARN, 'viewer', 'oidc-recorded')));
    expect((await seen('oidc-recorded'))?.role).toBe('viewer');
  });

  it('records nothing for a refused token', async () => {
    expect(await getSession(sessionRequest(await albToken(FOREIGN_ALB, 'admin', 'oidc-intruder')))).toBeNull();
    expect(await getSession(sessionRequest(await albToken(undefined, 'admin', 'oidc-intruder')))).toBeNull();
    expect(await getSession(sessionRequest(await albToken(ALB_ARN, 'not-a-role', 'oidc-intruder')))).toBeNull();
    expect(await seen('oidc-intruder')).toBeNull();
  });

  it('still authenticates when the record cannot be written, logging the reason once', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await dynamo.dropStateTable(); // every write of a seen role now fails
    try {
      for (let i = 0; i < 3; i++) {
        const session = await getSession(sessionRequest(await albToken(ALB_ARN, 'operator', 'oidc-unrecorded')));
        expect(session?.caller).toEqual({ id: 'oidc-unrecorded', name: 'omar@bank.example', role: 'operator' });
      }
      expect(logged).toHaveBeenCalledTimes(1);
      expect(JSON.parse(String(logged.mock.calls[0]![0]))).toMatchObject({
        level: 'error',
        event: 'seen_role_record_failed',
        user: 'oidc-unrecorded',
        error: expect.stringMatching(/non-existent table|not found/i) as string,
      });
    } finally {
      await dynamo.createStateTable();
      logged.mockRestore();
    }
    expect(await seen('oidc-unrecorded')).toBeNull();
    await getSession(sessionRequest(await albToken(ALB_ARN, 'operator', 'oidc-unrecorded')));
    expect((await seen('oidc-unrecorded'))?.role).toBe('operator');
  });
});
