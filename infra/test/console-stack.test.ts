/**
 * The console's deployment stacks (infra/lib/console-stack.ts), synthesized once: one beside each
 * platform stack (staging, production us-east-1 and eu-west-1), with what issue 15 asks of them:
 * Fargate arm64 tasks in private subnets, the image, the ALB (OIDC, WAF, logs), the tables and
 * the Object Lock copy of the audit log, the endpoints. The IAM side and cdk-nag:
 * console-stack-iam.test.ts.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, stackId, type PlatformApp } from '../lib/app';
import { consoleManagedRuleGroups } from '../lib/constructs/console-waf';
import { CONSOLE_HEALTH_PATH, ConsoleEnv, consoleNamesFor } from '../platform/console';
import { roles } from '../platform/roles';
import { baseContext, buildConsoleApp, consoleOf, one, props, tpl, where, type Json } from './console-synth';
import { resourcesOf } from './synth';

let built: PlatformApp;
beforeAll(() => {
  built = buildConsoleApp();
});

describe('console stacks', () => {
  it('are emitted beside every platform stack: staging and both production regions', () => {
    expect(built.consoleStacks.map((s) => s.stackName).sort()).toEqual(
      where.map(([stage, region]) => consoleNamesFor(stage).stackName(region)).sort(),
    );
    for (const [stage, region] of where) {
      const s = consoleOf(built, stage, region);
      expect(s.region).toBe(region);
      expect(s.dependencies.map((d) => d.stackName)).toContain(stackId(stage, region));
    }
  });

  it('refuses to synthesize for deployment without a certificate (the placeholder is local-only)', () => {
    expect(() =>
      buildApp({ console: true, nag: false, stages: ['staging'], context: { ...baseContext, localSynth: undefined } }),
    ).toThrow(/consoleCertificateArn/);
  });

  for (const [stage, region] of where) {
    describe(`${stage} ${region}`, () => {
      const t = () => tpl(consoleOf(built, stage, region));

      it('runs ≥ 2 arm64 Fargate tasks in the two private console subnets of the platform VPC, no public IP', () => {
        const [, service] = one(t(), 'AWS::ECS::Service');
        expect(props(service).DesiredCount).toBeGreaterThanOrEqual(2);
        expect(props(service).LaunchType).toBe('FARGATE');
        const net = (props(service).NetworkConfiguration as { AwsvpcConfiguration: Json }).AwsvpcConfiguration;
        expect(net.AssignPublicIp).toBe('DISABLED');
        const subnetIds = (net.Subnets as { Ref: string }[]).map((s) => s.Ref);
        expect(subnetIds).toHaveLength(2);
        const resources = t().toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
        const azs = subnetIds.map((id) => JSON.stringify(resources[id]!.Properties.AvailabilityZone));
        expect(new Set(azs).size).toBe(2);
        for (const id of subnetIds) {
          const subnet = resources[id]!.Properties;
          expect(subnet.MapPublicIpOnLaunch).toBe(false);
          expect(JSON.stringify(subnet.VpcId)).toContain(stackId(stage, region)); // the platform stack's VPC
          // Its route table's default route is a NAT gateway, never the internet gateway.
          const assoc = Object.values(resources).find(
            (r) => r.Type === 'AWS::EC2::SubnetRouteTableAssociation' && (r.Properties.SubnetId as Json).Ref === id,
          )!;
          const table = (assoc.Properties.RouteTableId as { Ref: string }).Ref;
          const routes = Object.values(resources).filter(
            (r) => r.Type === 'AWS::EC2::Route' && (r.Properties.RouteTableId as Json).Ref === table,
          );
          expect(
            routes.map((r) => Object.keys(r.Properties).filter((k) => k.endsWith('Id') && k !== 'RouteTableId')),
          ).toEqual([['NatGatewayId']]);
        }
        const [, task] = one(t(), 'AWS::ECS::TaskDefinition');
        expect(props(task).RuntimePlatform).toEqual({ CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
        expect(props(task).RequiresCompatibilities).toEqual(['FARGATE']);
      });

      it('runs the image from the Dockerfile, non-root, read-only root filesystem, health check and secret', () => {
        const [, task] = one(t(), 'AWS::ECS::TaskDefinition');
        const [c] = props(task).ContainerDefinitions as Json[];
        expect(JSON.stringify(c!.Image)).toContain('container-assets');
        expect(c!.ReadonlyRootFilesystem).toBe(true);
        expect(c!.User).toBe('1000:1000');
        expect(JSON.stringify((c!.HealthCheck as Json).Command)).toContain(CONSOLE_HEALTH_PATH);
        expect((c!.PortMappings as Json[])[0]!.ContainerPort).toBe(3000);
        const env = Object.fromEntries(
          (c!.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
        );
        expect(env[ConsoleEnv.backend]).toBe('aws');
        expect(env.HOSTNAME).toBe('0.0.0.0'); // the runtime's own HOSTNAME would bind the task's name only
        expect(env[ConsoleEnv.stage]).toBe(stage);
        expect(env[ConsoleEnv.region]).toBe(region);
        expect(env[ConsoleEnv.auditTable]).toBe(consoleNamesFor(stage).auditTable);
        expect(env[ConsoleEnv.stateTable]).toBe(consoleNamesFor(stage).stateTable);
        expect(JSON.stringify(env[ConsoleEnv.albArn])).toMatch(/^\{"Ref":"ServiceAlb\w+"\}$/);
        expect(JSON.stringify(env[ConsoleEnv.auditArchive])).toContain('s3://');
        expect(env[ConsoleEnv.sessionSecret]).toBeUndefined(); // never a plain value
        const secrets = c!.Secrets as { Name: string; ValueFrom: unknown }[];
        expect(secrets.map((x) => x.Name)).toEqual([ConsoleEnv.sessionSecret]);
        expect(JSON.stringify(secrets[0]!.ValueFrom)).toMatch(/^\{"Ref":"ServiceSessionSecret\w+"\}$/);
        // Writable paths are volumes; everything else is read-only.
        expect((c!.MountPoints as Json[]).map((m) => m.ContainerPath).sort()).toEqual([
          '/app/.next/cache',
          '/data',
          '/tmp',
        ]);
      });

      it('fronts it with an internet-facing ALB: HTTPS + OIDC (Cognito) on the listener, HTTP redirects, WAF, access logs', () => {
        const [albId, alb] = one(t(), 'AWS::ElasticLoadBalancingV2::LoadBalancer');
        expect(props(alb).Scheme).toBe('internet-facing');
        const attrs = Object.fromEntries(
          (props(alb).LoadBalancerAttributes as { Key: string; Value: unknown }[]).map((a) => [a.Key, a.Value]),
        );
        expect(attrs['access_logs.s3.enabled']).toBe('true');
        expect(attrs['routing.http.drop_invalid_header_fields.enabled']).toBe('true');
        expect(attrs['deletion_protection.enabled']).toBe('true');
        const listeners = resourcesOf(t(), 'AWS::ElasticLoadBalancingV2::Listener').map(([, l]) => props(l));
        const https = listeners.find((l) => l.Port === 443)!;
        expect(https.Protocol).toBe('HTTPS');
        const actions = https.DefaultActions as Json[];
        expect(actions.map((a) => [a.Order, a.Type])).toEqual([
          [1, 'authenticate-cognito'],
          [2, 'forward'],
        ]);
        expect(actions[0]!.AuthenticateCognitoConfig).toMatchObject({ OnUnauthenticatedRequest: 'authenticate' });
        const http = listeners.find((l) => l.Port === 80)!;
        expect(http.DefaultActions).toEqual([
          { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
        ]);
        const [, tg] = one(t(), 'AWS::ElasticLoadBalancingV2::TargetGroup');
        expect(props(tg).HealthCheckPath).toBe(CONSOLE_HEALTH_PATH);
        expect(props(tg).TargetType).toBe('ip');
        const [, assoc] = one(t(), 'AWS::WAFv2::WebACLAssociation');
        expect(props(assoc).ResourceArn).toEqual({ Ref: albId });
        const [, acl] = one(t(), 'AWS::WAFv2::WebACL');
        const groups = (
          props(acl).Rules as { Statement: { ManagedRuleGroupStatement?: { Name: string; VendorName: string } } }[]
        )
          .map((r) => r.Statement.ManagedRuleGroupStatement)
          .filter(Boolean);
        expect(groups).toEqual(consoleManagedRuleGroups.map((Name) => ({ Name, VendorName: 'AWS' })));
        t().hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {});
        // The Cognito pool has the four role groups, MFA, no self sign-up.
        const groupsMade = resourcesOf(t(), 'AWS::Cognito::UserPoolGroup').map(([, g]) => props(g).GroupName);
        expect(groupsMade.sort()).toEqual(roles.map((r) => `ledgerline-${r}`).sort());
        const [, pool] = one(t(), 'AWS::Cognito::UserPool');
        expect(props(pool).MfaConfiguration).toBe('ON');
        expect(props(pool).AdminCreateUserConfig).toEqual({ AllowAdminCreateUserOnly: true });
      });

      it('keeps the console state in two tables on the platform CMK: PITR, deletion protection, TTL on state, stream on audit', () => {
        const tables: Record<string, Json> = Object.fromEntries(
          resourcesOf(t(), 'AWS::DynamoDB::GlobalTable').map(
            ([, r]) => [String(props(r).TableName), props(r)] as const,
          ),
        );
        const names = consoleNamesFor(stage);
        expect(Object.keys(tables).sort()).toEqual([names.auditTable, names.stateTable].sort());
        for (const table of Object.values(tables)) {
          const [replica] = table.Replicas as Json[];
          expect(replica!.Region).toBe(region);
          expect(replica!.PointInTimeRecoverySpecification).toMatchObject({ PointInTimeRecoveryEnabled: true });
          expect(replica!.DeletionProtectionEnabled).toBe(true);
          expect(table.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
          expect(JSON.stringify((replica!.SSESpecification as Json).KMSMasterKeyId)).toContain(stackId(stage, region));
        }
        expect(tables[names.stateTable]!.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
        expect(tables[names.auditTable]!.TimeToLiveSpecification).toBeUndefined();
        expect(tables[names.auditTable]!.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
      });

      it('copies the audit stream into an Object Lock (COMPLIANCE) bucket, KMS-encrypted, through an arm64 archiver', () => {
        const buckets = resourcesOf(t(), 'AWS::S3::Bucket').map(([, b]) => props(b));
        const locked = buckets.filter((b) => b.ObjectLockEnabled === true);
        expect(locked).toHaveLength(1);
        expect(locked[0]!.ObjectLockConfiguration).toEqual({
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } },
        });
        const sse = (locked[0]!.BucketEncryption as { ServerSideEncryptionConfiguration: Json[] })
          .ServerSideEncryptionConfiguration[0]!.ServerSideEncryptionByDefault as Json;
        expect(sse.SSEAlgorithm).toBe('aws:kms');
        expect(locked[0]!.VersioningConfiguration).toEqual({ Status: 'Enabled' });
        // The other bucket (logs) is encrypted too (SSE-S3: what ALB and S3 access logs accept).
        for (const b of buckets.filter((x) => x !== locked[0]))
          expect(JSON.stringify(b.BucketEncryption)).toContain('AES256');
        const [fnId, fn] = resourcesOf(t(), 'AWS::Lambda::Function').find(([, f]) =>
          String(props(f).FunctionName).endsWith('-console-audit-archiver'),
        )!;
        expect(props(fn).Architectures).toEqual(['arm64']);
        expect(Number(/^nodejs(\d+)\.x$/.exec(String(props(fn).Runtime))?.[1])).toBeGreaterThanOrEqual(22);
        const [, mapping] = one(t(), 'AWS::Lambda::EventSourceMapping');
        expect(props(mapping).FunctionName).toEqual({ Ref: fnId });
        expect(JSON.stringify(props(mapping).EventSourceArn)).toContain('StreamArn');
        expect(props(mapping).FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
        expect(props(mapping).DestinationConfig).toBeDefined();
      });

      it("adds only the endpoints the platform VPC lacks, admitted from the tasks' security group", () => {
        const platform = tpl(built.stacks.find((s) => s.stackName === stackId(stage, region))!);
        const svc = (x: Template) =>
          resourcesOf(x, 'AWS::EC2::VPCEndpoint').map(([, e]) =>
            JSON.stringify(props(e).ServiceName).replace(/"/g, ''),
          );
        const mine = svc(t());
        for (const s of ['ecr.api', 'ecr.dkr', 'secretsmanager', 'cloudformation', '.s3', '.dynamodb'])
          expect(
            mine.some((m) => m.includes(s)),
            s,
          ).toBe(true);
        const theirs = svc(platform);
        const interfaceOnly = resourcesOf(t(), 'AWS::EC2::VPCEndpoint')
          .filter(([, e]) => props(e).VpcEndpointType === 'Interface')
          .map(([, e]) => JSON.stringify(props(e).ServiceName));
        for (const m of interfaceOnly) expect(theirs.map((x) => JSON.stringify(x))).not.toContain(m);
        t().hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
          FromPort: 443,
          GroupId: { 'Fn::GetStackOutput': { StackName: stackId(stage, region) } } as unknown as Json,
        });
      });

      it('outputs the console URL and the table names', () => {
        const outputs = Object.keys(t().toJSON().Outputs as Json);
        expect(outputs).toEqual(expect.arrayContaining(['ConsoleUrl', 'AuditTableName', 'StateTableName']));
      });
    });
  }
});
