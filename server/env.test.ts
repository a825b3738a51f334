import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from './env.schema';

describe('parseEnv', () => {
  it('defaults to the embedded platform on port 3000 with data under .data', () => {
    const env = parseEnv({});
    expect(env.LEDGERLINE_BACKEND).toBe('local');
    expect(env.LEDGERLINE_DATA_DIR).toBe('.data');
    expect(env.PORT).toBe(3000);
    expect(env.LEDGERLINE_STAGE).toBe('local');
  });

  it('rejects an unknown LEDGERLINE_BACKEND with a message naming the variable', () => {
    let error: unknown;
    try {
      parseEnv({ LEDGERLINE_BACKEND: 'azure' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvError);
    expect((error as EnvError).variables).toEqual(['LEDGERLINE_BACKEND']);
    expect((error as EnvError).message).toMatch(/LEDGERLINE_BACKEND must be "local" or "aws" \(got "azure"\)/);
  });

  it('rejects a non-numeric PORT naming PORT', () => {
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  const ALB =
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/ledgerline-console/0123456789abcdef';
  const TABLES = {
    LEDGERLINE_AUDIT_TABLE: 'ledgerline-staging-console-audit',
    LEDGERLINE_STATE_TABLE: 'ledgerline-staging-console-state',
  };

  it('requires a session secret and the ALB ARN with the aws backend and turns the admin API off', () => {
    let error: unknown;
    try {
      parseEnv({ LEDGERLINE_BACKEND: 'aws' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvError);
    expect((error as EnvError).variables).toEqual([
      'LEDGERLINE_SESSION_SECRET',
      'LEDGERLINE_ALB_ARN',
      'LEDGERLINE_AUDIT_TABLE',
      'LEDGERLINE_STATE_TABLE',
    ]);
    expect((error as EnvError).message).toMatch(/LEDGERLINE_ALB_ARN: required when LEDGERLINE_BACKEND is "aws"/);
    expect(() => parseEnv({ LEDGERLINE_BACKEND: 'aws', LEDGERLINE_ALB_ARN: ALB })).toThrow(/LEDGERLINE_SESSION_SECRET/);
    const env = parseEnv({
      ...TABLES,
      LEDGERLINE_BACKEND: 'aws',
      LEDGERLINE_SESSION_SECRET: 'x'.repeat(32),
      LEDGERLINE_ALB_ARN: ALB,
    });
    expect(env.LEDGERLINE_ADMIN_API).toBe(false);
    expect(env.LEDGERLINE_ALB_ARN).toBe(ALB);
  });

  it("requires the console's two DynamoDB tables with the aws backend, and checks their names and the archive's", () => {
    const aws = { LEDGERLINE_BACKEND: 'aws', LEDGERLINE_SESSION_SECRET: 'x'.repeat(32), LEDGERLINE_ALB_ARN: ALB };
    expect(() => parseEnv({ ...aws, LEDGERLINE_AUDIT_TABLE: TABLES.LEDGERLINE_AUDIT_TABLE })).toThrow(
      /LEDGERLINE_STATE_TABLE: required when LEDGERLINE_BACKEND is "aws"/,
    );
    expect(() => parseEnv({ ...aws, ...TABLES, LEDGERLINE_STATE_TABLE: 'x' })).toThrow(
      /LEDGERLINE_STATE_TABLE must be a DynamoDB table name/,
    );
    expect(() => parseEnv({ ...aws, ...TABLES, LEDGERLINE_AUDIT_ARCHIVE: 'https://bucket' })).toThrow(
      /LEDGERLINE_AUDIT_ARCHIVE must look like s3:\/\/bucket\/prefix/,
    );
    const env = parseEnv({ ...aws, ...TABLES, LEDGERLINE_AUDIT_ARCHIVE: 's3://ledgerline-audit-lock/audit' });
    expect(env.LEDGERLINE_AUDIT_ARCHIVE).toBe('s3://ledgerline-audit-lock/audit');
    expect(parseEnv({}).LEDGERLINE_AUDIT_TABLE).toBeUndefined(); // local: console.db
  });

  it.each([
    ['a target group ARN', 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/console/0123456789abcdef'],
    [
      'a network load balancer',
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/console/0123456789abcdef',
    ],
    ['a short account id', 'arn:aws:elasticloadbalancing:us-east-1:12345:loadbalancer/app/console/0123456789abcdef'],
    ['a bare name', 'ledgerline-console'],
  ])('rejects %s as LEDGERLINE_ALB_ARN naming the variable', (_label, value) => {
    let error: unknown;
    try {
      parseEnv({ LEDGERLINE_BACKEND: 'aws', LEDGERLINE_SESSION_SECRET: 'x'.repeat(32), LEDGERLINE_ALB_ARN: value });
    } catch (e) {
      error = e;
    }
    expect((error as EnvError).variables).toEqual(['LEDGERLINE_ALB_ARN']);
    expect((error as EnvError).message).toMatch(/LEDGERLINE_ALB_ARN must be an ALB ARN/);
  });

  it('rejects a load balancer in another region than AWS_REGION (its keys would be fetched from the wrong region)', () => {
    expect(() =>
      parseEnv({
        LEDGERLINE_BACKEND: 'aws',
        AWS_REGION: 'eu-west-1',
        LEDGERLINE_SESSION_SECRET: 'x'.repeat(32),
        LEDGERLINE_ALB_ARN: ALB,
      }),
    ).toThrow(/LEDGERLINE_ALB_ARN: the load balancer is in us-east-1, but AWS_REGION is eu-west-1/);
  });
});
