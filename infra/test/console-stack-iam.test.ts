/**
 * The console stacks' IAM and compliance side: the task role's statements exactly, the operator
 * roles' trust (only the console task roles, with a SourceIdentity), the external IdP and the
 * retention from context, and the cdk-nag findings per pack (each one acknowledged with a reason,
 * no acknowledgement without its finding).
 */
import { AwsSolutionsChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackId, type PlatformApp } from '../lib/app';
import { consoleTaskRoleArn, consoleTaskRoleName } from '../lib/constructs/console-task-role';
import { acknowledgements, recordAcknowledgementsOnly } from '../lib/nag';
import { namesFor, primaryRegion, secondaryRegion } from '../platform/description';
import { roles } from '../platform/roles';
import { buildConsoleApp, consoleOf, props, tpl, where, type Json } from './console-synth';
import { allResources, resourcesOf } from './synth';

let built: PlatformApp;
let oidc: PlatformApp;
beforeAll(() => {
  recordAcknowledgementsOnly(false);
  // The packs are evaluated on the console stacks below (validateScope); `npm run synth` runs
  // them as validation plugins over every stack, where any unacknowledged finding fails synth.
  built = buildConsoleApp();
  oidc = buildConsoleApp({
    stages: ['staging'],
    context: {
      consoleCertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-1234-1234-123456789012',
      consoleDomainName: 'console.staging.example.com',
      auditRetentionDays: '30',
      consoleOidc: JSON.stringify({
        issuer: 'https://idp.example.com',
        authorizationEndpoint: 'https://idp.example.com/authorize',
        tokenEndpoint: 'https://idp.example.com/token',
        userInfoEndpoint: 'https://idp.example.com/userinfo',
        clientId: 'ledgerline-console',
        clientSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:ledgerline/oidc-AbCdEf',
      }),
    },
  });
});
afterAll(() => recordAcknowledgementsOnly(false));

describe('console task role', () => {
  for (const [stage, region] of where) {
    describe(`${stage} ${region}`, () => {
      const t = () => tpl(consoleOf(built, stage, region));

      it("gives the task role exactly: assume the four operator roles, its two tables (+ CMK via DynamoDB), its stage's stack outputs", () => {
        const resources = t().toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
        const [roleId, role] = resourcesOf(t(), 'AWS::IAM::Role').find(
          ([, r]) => props(r).RoleName === `${namesFor(stage).prefix}-console-task-${region}`,
        )!;
        const trust = (props(role).AssumeRolePolicyDocument as { Statement: Json[] }).Statement;
        expect(trust).toHaveLength(1);
        expect(trust[0]!.Principal).toEqual({ Service: 'ecs-tasks.amazonaws.com' });
        const policies = Object.values(resources).filter(
          (r) =>
            r.Type === 'AWS::IAM::ManagedPolicy' &&
            (r.Properties.Roles as Json[] | undefined)?.some((x) => (x as { Ref?: string }).Ref === roleId),
        );
        expect(policies).toHaveLength(1);
        expect(allResources(t()).filter(([, r]) => r.Type === 'AWS::IAM::Policy')).toEqual([]);
        const statements = (policies[0]!.Properties.PolicyDocument as { Statement: Json[] }).Statement;
        const rendered = JSON.stringify(statements);
        const actions = statements.map((s) => [s.Sid, [s.Action].flat().sort()]);
        expect(actions).toEqual([
          ['AssumeOperatorRoles', ['sts:AssumeRole', 'sts:SetSourceIdentity']],
          [
            'ConsoleTables',
            [
              'dynamodb:BatchGetItem',
              'dynamodb:ConditionCheckItem',
              'dynamodb:DeleteItem',
              'dynamodb:GetItem',
              'dynamodb:PutItem',
              'dynamodb:Query',
              'dynamodb:UpdateItem',
            ],
          ],
          ['ConsoleTablesKey', ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey']],
          ['ReadPlatformStackOutputs', ['cloudformation:DescribeStacks']],
        ]);
        for (const r of roles) expect(rendered).toContain(`:role/${namesFor(stage).prefix}-console-${r}"`);
        expect(statements[0]!.Resource as unknown[]).toHaveLength(4);
        const tableResources = JSON.stringify(statements[1]!.Resource);
        expect(tableResources).toMatch(/TablesAudit\w+","Arn"\]\},"\/index\/byTime"/);
        expect(tableResources).toMatch(/TablesState\w+","Arn"\]\},"\/index\/gsi1"/);
        expect((statements[1]!.Resource as unknown[]).length).toBe(4); // 2 tables + their one index each
        expect(statements[2]!.Condition).toEqual({
          StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` },
        });
        const stageRegions = stage === 'production' ? [primaryRegion, secondaryRegion] : [primaryRegion];
        const stacks = JSON.stringify(statements[3]!.Resource);
        for (const r of stageRegions) expect(stacks).toContain(`:cloudformation:${r}:`);
        expect(stacks.match(/:stack\//g)).toHaveLength(stageRegions.length);
        for (const r of stageRegions) expect(stacks).toContain(`:stack/${stackId(stage, r)}/*`);
      });
    });
  }
});

describe('operator roles and context', () => {
  it('lets the operator roles be assumed only by the console task roles of the stage, with a SourceIdentity', () => {
    for (const stage of ['staging', 'production'] as const) {
      const primary = tpl(built.stacks.find((s) => s.stackName === stackId(stage, primaryRegion))!);
      const taskRoleArns = built.consoleStacks
        .filter((s) => s.stackName.startsWith(`${namesFor(stage).prefix}-console-`))
        .map((s) => {
          tpl(s).hasResourceProperties('AWS::IAM::Role', {
            RoleName: consoleTaskRoleName(namesFor(stage).prefix, s.region),
          });
          return JSON.stringify(s.resolve(consoleTaskRoleArn(namesFor(stage).prefix, s.region)));
        });
      expect(taskRoleArns).toHaveLength(stage === 'production' ? 2 : 1);
      const opRoles = resourcesOf(primary, 'AWS::IAM::Role').filter(([, r]) =>
        /-console-(viewer|operator|approver|admin)$/.test(String(props(r).RoleName)),
      );
      expect(opRoles).toHaveLength(4);
      for (const [, r] of opRoles) {
        const trust = (props(r).AssumeRolePolicyDocument as { Statement: Json[] }).Statement;
        expect(trust.flatMap((s) => [s.Action].flat()).sort()).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity']);
        for (const s of trust) {
          expect(JSON.stringify(s.Principal)).toMatch(/:root"\]\]\}\}$/);
          const cond = s.Condition as { StringLike: Json; ArnEquals: { 'aws:PrincipalArn': unknown[] } };
          expect(cond.StringLike).toEqual({ 'sts:SourceIdentity': '?*' });
          const trusted = cond.ArnEquals['aws:PrincipalArn'].map((a) => JSON.stringify(a)).sort();
          expect(trusted).toEqual([...taskRoleArns].sort());
        }
      }
    }
  });

  it('takes an external OIDC IdP and the retention from context', () => {
    const t = tpl(consoleOf(oidc, 'staging', primaryRegion));
    const https = resourcesOf(t, 'AWS::ElasticLoadBalancingV2::Listener')
      .map(([, l]) => props(l))
      .find((l) => l.Port === 443)!;
    const [auth] = https.DefaultActions as Json[];
    expect(auth!.Type).toBe('authenticate-oidc');
    const config = auth!.AuthenticateOidcConfig as Json;
    expect(config.Issuer).toBe('https://idp.example.com');
    expect(config.ClientId).toBe('ledgerline-console');
    // A dynamic reference CloudFormation resolves at deploy time: the secret is never in the template.
    expect(String(config.ClientSecret)).toMatch(
      /^\{\{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:111122223333:secret:ledgerline\/oidc-AbCdEf:SecretString:::\}\}$/,
    );
    expect(resourcesOf(t, 'AWS::Cognito::UserPool')).toHaveLength(0);
    expect(JSON.stringify(https.Certificates)).toContain('12345678-1234-1234-1234-123456789012');
    expect(JSON.stringify(t.toJSON().Outputs)).toContain('https://console.staging.example.com');
    t.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } },
      },
    });
  });
});

describe('cdk-nag on the console stacks', () => {
  it('has 0 unacknowledged findings in the four packs; each acknowledgement silences a real finding (counts per pack)', () => {
    const packs = [new AwsSolutionsChecks(), new PCIDSS321Checks(), new NIST80053R5Checks(), new ServerlessChecks()];
    const mine = acknowledgements.filter((a) => built.consoleStacks.some((s) => a.path.startsWith(`${s.stackName}/`)));
    const counts: Record<string, { findings: number; acknowledged: number }> = {};
    const raw: { rule: string; path: string }[] = [];
    for (const pack of packs) {
      const c = (counts[pack.readPackName] = { findings: 0, acknowledged: 0 });
      for (const stack of built.consoleStacks)
        for (const v of pack.validateScope(stack).violations)
          for (const r of v.violatingResources) {
            const path = r.constructPath ?? r.resourceLogicalId ?? '?';
            raw.push({ rule: v.ruleName, path });
            c.findings++;
            if (mine.some((a) => a.id === v.ruleName && path.startsWith(`${a.path}/`))) c.acknowledged++;
          }
    }
    console.log('[console-stack] cdk-nag findings (all acknowledged) per pack:', JSON.stringify(counts));
    for (const [pack, c] of Object.entries(counts)) expect(c.acknowledged, pack).toBe(c.findings);
    const unused = mine.filter((a) => !raw.some((f) => f.rule === a.id && f.path.startsWith(`${a.path}/`)));
    expect(unused).toEqual([]);
    expect(raw.length).toBeGreaterThan(0);
    for (const a of mine) expect(a.reason.length).toBeGreaterThan(40);
  });
});
