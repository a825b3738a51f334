import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../port';
import { createClientsFor } from './clients';
import { createRoleCredentials, roleSessionNameFor, sanitizeSourceIdentity } from './credentials';
import { callerOf, testConfig } from './testing';

const sts = mockClient(STSClient);
const roleArns = testConfig().operatorRoleArns;

function stsAnswers(expiresInMs: number, now: () => number) {
  let n = 0;
  sts.on(AssumeRoleCommand).callsFake(() => {
    n++;
    return {
      Credentials: {
        AccessKeyId: `AKID${n}`,
        SecretAccessKey: `secret${n}`,
        SessionToken: `token${n}`,
        Expiration: new Date(now() + expiresInMs),
      },
    };
  });
}

describe('role credentials', () => {
  beforeEach(() => sts.reset());

  it('keeps a plain operator id as the SourceIdentity and sanitises anything else to STS charset with a hash suffix', () => {
    expect(sanitizeSourceIdentity('alice@bank.example')).toBe('alice@bank.example');
    const odd = sanitizeSourceIdentity('Alice Smith/ops#1');
    expect(odd).toMatch(/^Alice_Smith_ops_1-[0-9a-f]{8}$/);
    expect(sanitizeSourceIdentity('Alice Smith/ops#2')).not.toBe(odd);
    const long = sanitizeSourceIdentity('x'.repeat(100));
    expect(long.length).toBe(64);
    expect(long).toMatch(/^[A-Za-z0-9_+=,.@-]{2,64}$/);
    expect(sanitizeSourceIdentity('a')).toMatch(/^a-[0-9a-f]{8}$/);
    expect(roleSessionNameFor('alice@bank.example')).toBe('ledgerline-alice@bank.example');
    expect(roleSessionNameFor('y'.repeat(64)).length).toBeLessThanOrEqual(64);
  });

  it("assumes the caller's role with SourceIdentity = the operator and a session name derived from it", async () => {
    const now = 1_000_000;
    stsAnswers(900_000, () => now);
    const creds = createRoleCredentials({ roleArns, sts: new STSClient({ region: 'us-east-1' }), now: () => now });
    const c = await creds.get(callerOf('operator', 'op-7'));
    expect(c).toMatchObject({ accessKeyId: 'AKID1', sessionToken: 'token1' });
    const input = sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input;
    expect(input).toEqual({
      RoleArn: roleArns.operator,
      SourceIdentity: 'op-7',
      RoleSessionName: 'ledgerline-op-7',
      DurationSeconds: 900,
    });
  });

  it('caches credentials per (role, operator) and refreshes them shortly before they expire', async () => {
    let now = 1_000_000;
    stsAnswers(900_000, () => now);
    const creds = createRoleCredentials({
      roleArns,
      sts: new STSClient({ region: 'us-east-1' }),
      now: () => now,
      refreshMarginSeconds: 120,
    });
    const alice = callerOf('operator', 'alice');
    await creds.get(alice);
    await creds.get(alice);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    await creds.get(callerOf('operator', 'bob'));
    await creds.get(callerOf('viewer', 'alice'));
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(3);
    expect(sts.commandCalls(AssumeRoleCommand)[2]?.args[0].input.RoleArn).toBe(roleArns.viewer);
    expect(creds.size()).toBe(3);
    now += 900_000 - 121_000; // still outside the margin
    await creds.get(alice);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(3);
    now += 2_000; // inside the 120 s margin
    const refreshed = await creds.get(alice);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(4);
    expect(refreshed.accessKeyId).toBe('AKID4');
  });

  it('shares one AssumeRole call between concurrent requests of the same operator', async () => {
    const now = 1_000_000;
    stsAnswers(900_000, () => now);
    const creds = createRoleCredentials({ roleArns, sts: new STSClient({ region: 'us-east-1' }), now: () => now });
    const alice = callerOf('admin', 'alice');
    const all = await Promise.all([creds.get(alice), creds.get(alice), creds.get(alice)]);
    expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('reports a denied AssumeRole as Forbidden naming the role but not its ARN, which stays in the logged detail', async () => {
    const stsMessage =
      'User: arn:aws:sts::123456789012:assumed-role/ledgerline-console/i-0abc is not authorized to perform: sts:SetSourceIdentity';
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error(stsMessage), { name: 'AccessDenied' }));
    const creds = createRoleCredentials({ roleArns, sts: new STSClient({ region: 'us-east-1' }) });
    const error = await creds.get(callerOf('approver')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ code: 'Forbidden' });
    const message = (error as Error).message;
    expect(message).toContain('approver');
    expect(message).toContain('AccessDenied');
    expect(message).not.toMatch(/arn:aws|\d{12}/);
    expect(message).not.toContain(roleArns.approver);
    const detail = (error as Error).cause as Error;
    expect(detail.message).toContain(roleArns.approver);
    expect(detail.message).toContain(stsMessage);
  });

  it('reports any other AssumeRole failure as Unavailable without the role ARN or the STS message', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejects(
        Object.assign(new Error('arn:aws:iam::123456789012:role/x is broken'), { name: 'RegionDisabledException' }),
      );
    const creds = createRoleCredentials({ roleArns, sts: new STSClient({ region: 'us-east-1' }) });
    const error = await creds.get(callerOf('operator')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'Unavailable' });
    expect((error as Error).message).toContain('RegionDisabledException');
    expect((error as Error).message).not.toMatch(/arn:aws|\d{12}/);
    expect(((error as Error).cause as Error).message).toContain(roleArns.operator);
  });

  it("signs a caller's SDK clients with that caller's role session", async () => {
    const now = Date.now();
    stsAnswers(900_000, () => now);
    const creds = createRoleCredentials({ roleArns, sts: new STSClient({ region: 'us-east-1' }) });
    const clientsFor = createClientsFor(testConfig(), creds);
    const carol = callerOf('operator', 'carol');
    const clients = clientsFor(carol);
    expect(clientsFor(carol)).toBe(clients);
    const resolved = await clients.sqs.config.credentials();
    expect(resolved.accessKeyId).toBe('AKID1');
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input.SourceIdentity).toBe('carol');
    expect(await clients.sqs.config.region()).toBe('us-east-1');
  });
});
