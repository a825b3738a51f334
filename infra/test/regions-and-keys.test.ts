/**
 * The key policy restricts use of the stage key (no account-wide kms:*, cryptographic use only
 * through the platform's services, grants only for AWS resources, every service principal
 * scoped), and the processing queues outside the write region keep messages for less than the
 * idempotency TTL (so a promotion never replays a transaction whose idempotency record expired).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, AnyPrincipal, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { featureFlags } from '../lib/app';
import { PlatformKey } from '../lib/constructs/keys';
import { QUEUE_RETENTION } from '../lib/constructs/messaging';
import { IDEMPOTENCY_TTL_HOURS, namesFor, primaryRegion, secondaryRegion, type Stage } from '../platform/description';
import { resourcesOf, synthesize, type Synthesized } from './synth';

type Json = Record<string, unknown>;
interface KeyStatement {
  Sid?: string;
  Effect: string;
  Principal: { AWS?: unknown; Service?: unknown };
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

let app: Synthesized;
let flipped: Synthesized;
beforeAll(() => {
  app = synthesize({ nag: false });
  flipped = synthesize({ nag: false, stages: ['production'], context: { writeRegion: secondaryRegion } });
});

const ttlSeconds = IDEMPOTENCY_TTL_HOURS * 3600;
const list = (a: string | string[]) => (Array.isArray(a) ? a : [a]);
/** Whether an IAM action pattern (with `*` wildcards) covers an action. */
const covers = (pattern: string, action: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action);
/** Concrete cryptographic operations of a symmetric key (AWS KMS API). */
const crypto = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateDataKeyPair',
  'kms:GenerateMac',
];
const allowsCryptoUse = (s: KeyStatement) => list(s.Action).some((p) => crypto.some((a) => covers(p, a)));

function keyStatements(t: Template): KeyStatement[] {
  const keys = resourcesOf(t, 'AWS::KMS::Key');
  expect(keys).toHaveLength(1);
  const policy = (keys[0]![1].Properties as Json).KeyPolicy as { Statement: KeyStatement[] };
  return policy.Statement;
}

/** Retention (seconds) of each processing source queue of the stage in a template. */
function sourceRetentions(t: Template, stage: Stage): Map<string, unknown> {
  const sources = namesFor(stage).queues.map((q) => q.source);
  const out = new Map<string, unknown>();
  for (const [, q] of resourcesOf(t, 'AWS::SQS::Queue')) {
    const p = q.Properties as Json;
    const name = String(p.QueueName);
    if (sources.some((s) => name === s || name.startsWith(`${s}-s`)) && !name.endsWith('-dlq'))
      out.set(name, p.MessageRetentionPeriod);
  }
  expect(out.size).toBeGreaterThan(0);
  return out;
}

describe('stage key policy', () => {
  const templates = () => [
    app.template('staging', primaryRegion),
    app.template('production', primaryRegion),
    app.template('production', secondaryRegion),
  ];

  it('grants no statement kms:* and no account-wide administration of cryptographic use', () => {
    for (const t of templates()) {
      for (const s of keyStatements(t)) expect(list(s.Action), s.Sid).not.toContain('kms:*');
      const admin = keyStatements(t).find((s) => s.Sid === 'KeyAdministration');
      expect(admin?.Principal.AWS).toBeDefined();
      expect(allowsCryptoUse(admin!)).toBe(false);
      expect(list(admin!.Action).some((p) => covers(p, 'kms:CreateGrant'))).toBe(false);
      expect(list(admin!.Action)).toEqual(expect.arrayContaining(['kms:ScheduleKeyDeletion', 'kms:Put*']));
    }
  });

  it("lets the account's identities use the key only through the platform's services, and create grants only for AWS resources", () => {
    for (const [t, region] of [
      [app.template('staging', primaryRegion), primaryRegion],
      [app.template('production', primaryRegion), primaryRegion],
      [app.template('production', secondaryRegion), secondaryRegion],
    ] as const) {
      const account = keyStatements(t).filter((s) => s.Effect === 'Allow' && s.Principal.AWS !== undefined);
      const use = account.filter(allowsCryptoUse);
      expect(use.length).toBeGreaterThan(0);
      for (const s of use) {
        const via = list(s.Condition?.StringEquals?.['kms:ViaService'] as string | string[]);
        expect(via.length, `${s.Sid} has a kms:ViaService condition`).toBeGreaterThan(0);
        for (const v of via) expect(v).toMatch(new RegExp(`^[a-z]+\\.${region}\\.amazonaws\\.com$`));
        for (const service of ['sqs', 'dynamodb', 'events', 'states', 'lambda', 'sns'])
          expect(via).toContain(`${service}.${region}.amazonaws.com`);
      }
      const grants = account.filter((s) => list(s.Action).some((p) => covers(p, 'kms:CreateGrant')));
      expect(grants).toHaveLength(1);
      expect(grants[0]!.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    }
  });

  it('scopes every service-principal statement (including the log delivery statement Step Functions adds)', () => {
    for (const t of templates()) {
      const services = keyStatements(t).filter((s) => s.Principal.Service !== undefined);
      expect(services.map((s) => s.Principal.Service)).toContain('delivery.logs.amazonaws.com');
      for (const s of services) expect(s.Condition, JSON.stringify(s.Principal)).toBeDefined();
      expect(keyStatements(t).every((s) => s.Principal.AWS !== undefined || s.Principal.Service !== undefined)).toBe(
        true,
      );
    }
  });

  it("puts a grant to a role of the stack in the role's policy and refuses key-policy statements for other principals", () => {
    const stack = new Stack(new App({ context: featureFlags }), 'K', { env: { region: primaryRegion } });
    const { key } = new PlatformKey(stack, 'Keys', { aliasName: 'test' });
    const role = new Role(stack, 'R', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    key.grantDecrypt(role);
    const t = Template.fromStack(stack);
    const statements = keyStatements(t);
    expect(statements.map((s) => s.Sid)).toEqual(expect.arrayContaining(['KeyAdministration', 'ViaPlatformServices']));
    expect(statements.every((s) => s.Sid !== undefined)).toBe(true); // nothing added by the grant
    const [, policy] = resourcesOf(t, 'AWS::IAM::Policy')[0]!;
    expect(JSON.stringify(policy.Properties)).toContain('kms:Decrypt');
    for (const principal of [new AccountRootPrincipal(), new AnyPrincipal()]) {
      expect(() =>
        key.addToResourcePolicy(new PolicyStatement({ principals: [principal], actions: ['kms:*'], resources: ['*'] })),
      ).toThrow(/PlatformKey: refusing to add a key-policy statement/);
    }
  });
});

describe('processing queues outside the write region', () => {
  it('keep messages less than the idempotency TTL in the secondary region while the primary keeps 14 days', () => {
    for (const [name, retention] of sourceRetentions(app.template('production', secondaryRegion), 'production')) {
      expect(retention, name).toBeTypeOf('number');
      expect(retention as number, name).toBeLessThan(ttlSeconds);
    }
    for (const [name, retention] of sourceRetentions(app.template('production', primaryRegion), 'production'))
      expect(retention, name).toBe(QUEUE_RETENTION.toSeconds());
    for (const [name, retention] of sourceRetentions(app.template('staging', primaryRegion), 'staging'))
      expect(retention, name).toBe(QUEUE_RETENTION.toSeconds());
  });

  it('swap when the write region is flipped to the secondary', () => {
    for (const [name, retention] of sourceRetentions(flipped.template('production', primaryRegion), 'production')) {
      expect(retention, name).toBeTypeOf('number');
      expect(retention as number, name).toBeLessThan(ttlSeconds);
    }
    for (const [name, retention] of sourceRetentions(flipped.template('production', secondaryRegion), 'production'))
      expect(retention, name).toBe(QUEUE_RETENTION.toSeconds());
  });
});

/** ActionsEnabled of each processing queue's oldest-message-age alarm, by alarm name. */
function oldestAgeAlarmActions(t: Template): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [, a] of resourcesOf(t, 'AWS::CloudWatch::Alarm')) {
    const p = a.Properties as Json;
    if (String(p.AlarmName).endsWith('-oldest-message-age')) out.set(String(p.AlarmName), p.ActionsEnabled);
  }
  expect(out.size).toBeGreaterThan(0);
  return out;
}

describe('oldest-message-age alarms outside the write region', () => {
  it('notify nobody in the region that does not process, and do in the write region; the other alarms notify in both', () => {
    for (const [name, enabled] of oldestAgeAlarmActions(app.template('production', secondaryRegion)))
      expect(enabled, name).toBe(false);
    for (const [name, enabled] of oldestAgeAlarmActions(app.template('production', primaryRegion)))
      expect(enabled, name).toBe(true);
    for (const [name, enabled] of oldestAgeAlarmActions(flipped.template('production', primaryRegion)))
      expect(enabled, name).toBe(false);
    for (const [name, enabled] of oldestAgeAlarmActions(flipped.template('production', secondaryRegion)))
      expect(enabled, name).toBe(true);
    const others = resourcesOf(app.template('production', secondaryRegion), 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties as Json)
      .filter((p) => !String(p.AlarmName).endsWith('-oldest-message-age'));
    expect(others.length).toBeGreaterThan(0);
    for (const p of others) expect(p.ActionsEnabled, String(p.AlarmName)).toBe(true);
  });
});
