/**
 * The network rules are no broader than the functions need: the functions' security group
 * sends HTTPS only to the interface endpoints' group and to the DynamoDB prefix list (resolved
 * at deploy time by a custom resource, so synth needs no credentials), plus on staging only the
 * S3 prefix list (the FIS Lambda extension's configuration reads), and every endpoint's
 * policy admits only principals (and, where the API names one, resources) of this account.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { primaryRegion, secondaryRegion } from '../platform/description';
import { resourcesOf, synthesize, type Synthesized } from './synth';

type Json = Record<string, unknown>;
let app: Synthesized;
const stages = () =>
  [
    ['staging', primaryRegion],
    ['production', primaryRegion],
    ['production', secondaryRegion],
  ] as const;

beforeAll(() => {
  app = synthesize({ nag: false });
});

const props = (r: { Properties?: Json }) => r.Properties ?? {};
const accountRef = { Ref: 'AWS::AccountId' };

function groups(t: Template) {
  const all = resourcesOf(t, 'AWS::EC2::SecurityGroup');
  const functions = all.filter(([, g]) => String(props(g).GroupDescription).startsWith('Ledgerline functions'));
  const endpoints = all.filter(([, g]) =>
    String(props(g).GroupDescription).startsWith('Ledgerline interface endpoints'),
  );
  expect(functions).toHaveLength(1);
  expect(endpoints).toHaveLength(1);
  return { functions: functions[0]!, endpoints: endpoints[0]! };
}

/** Every egress rule of a group: inline ones and AWS::EC2::SecurityGroupEgress resources. */
function egressOf(t: Template, groupId: string): Json[] {
  return [
    ...((props(resourcesOf(t, 'AWS::EC2::SecurityGroup').find(([id]) => id === groupId)![1]).SecurityGroupEgress as
      Json[] | undefined) ?? []),
    ...resourcesOf(t, 'AWS::EC2::SecurityGroupEgress')
      .filter(([, r]) => JSON.stringify(props(r).GroupId) === JSON.stringify({ 'Fn::GetAtt': [groupId, 'GroupId'] }))
      .map(([, r]) => props(r)),
  ];
}

/** The API an endpoint serves: the last label of its service name (`com.amazonaws.<region>.<api>`). */
function apiOf(endpoint: { Properties?: Json }): string {
  const m = /\.([a-z0-9-]+)"\W*$/.exec(JSON.stringify(props(endpoint).ServiceName));
  if (!m) throw new Error(`endpoint service name ${JSON.stringify(props(endpoint).ServiceName)} has no API label`);
  return m[1]!;
}

/** Endpoint API label -> IAM action prefix, and whether the calls carry a resource of this account. */
const expectedScope: Record<string, { actions: string; resourceAccount: boolean }> = {
  dynamodb: { actions: 'dynamodb:*', resourceAccount: true },
  sqs: { actions: 'sqs:*', resourceAccount: true },
  events: { actions: 'events:*', resourceAccount: true },
  states: { actions: 'states:*', resourceAccount: true },
  kms: { actions: 'kms:*', resourceAccount: true },
  lambda: { actions: 'lambda:*', resourceAccount: true },
  // No resource in the request (PutTraceSegments, Get/PutMetricData, Describe*, GetCallerIdentity).
  xray: { actions: 'xray:*', resourceAccount: false },
  monitoring: { actions: 'cloudwatch:*', resourceAccount: false },
  logs: { actions: 'logs:*', resourceAccount: false },
  sts: { actions: 'sts:*', resourceAccount: false },
};

/**
 * A prefix-list lookup: no newer SDK installed, and its provider runs outside the VPC as a role
 * with ec2:DescribeManagedPrefixLists plus writing its own log group, nothing else.
 */
function expectReadOnlyLookup(t: Template, lookup: { Properties?: Json }) {
  expect(props(lookup).InstallLatestAwsSdk).toBe(false);
  // The provider's role: ec2:DescribeManagedPrefixLists plus writing its own log group, nothing else.
  const serviceToken = props(lookup).ServiceToken as { 'Fn::GetAtt': [string, string] };
  const provider = resourcesOf(t, 'AWS::Lambda::Function').find(([id]) => id === serviceToken['Fn::GetAtt'][0])!;
  expect(props(provider[1]).VpcConfig).toBeUndefined();
  const roleId = (props(provider[1]).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const role = resourcesOf(t, 'AWS::IAM::Role').find(([id]) => id === roleId)!;
  expect(props(role[1]).ManagedPolicyArns).toBeUndefined();
  expect(props(role[1]).Policies).toBeUndefined();
  const policies = resourcesOf(t, 'AWS::IAM::ManagedPolicy').filter(([, p]) =>
    JSON.stringify(props(p).Roles).includes(roleId),
  );
  expect(policies).toHaveLength(1);
  const actions = (
    props(policies[0]![1]).PolicyDocument as { Statement: { Action: string | string[] }[] }
  ).Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
  expect(actions).toEqual(['ec2:DescribeManagedPrefixLists', 'logs:CreateLogStream', 'logs:PutLogEvents']);
}

describe('network rules', () => {
  it('the functions security group sends HTTPS only to the endpoints group and the DynamoDB prefix list (+ S3 on staging), never to 0.0.0.0/0', () => {
    for (const [stage, region] of stages()) {
      const t = app.template(stage, region);
      const { functions, endpoints } = groups(t);
      const egress = egressOf(t, functions[0]);
      for (const rule of egress) {
        expect(rule.CidrIp, `${stage}/${region}`).toBeUndefined();
        expect(rule.CidrIpv6, `${stage}/${region}`).toBeUndefined();
      }
      const lookups = resourcesOf(t, 'Custom::DynamoDbPrefixList');
      expect(lookups).toHaveLength(1);
      const s3Lookups = resourcesOf(t, 'Custom::S3PrefixList');
      if (stage === 'production') {
        // Production: exactly the two rules, no S3 lookup.
        expect(egress, `${stage}/${region}`).toHaveLength(2);
        expect(s3Lookups).toEqual([]);
      } else {
        // Staging: a third rule, HTTPS to the S3 prefix list (FIS Lambda extension), nothing more.
        expect(egress, `${stage}/${region}`).toHaveLength(3);
        expect(s3Lookups).toHaveLength(1);
        expect(egress).toContainEqual(
          expect.objectContaining({
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            DestinationPrefixListId: { 'Fn::GetAtt': [s3Lookups[0]![0], 'PrefixLists.0.PrefixListId'] },
          }),
        );
      }
      expect(egress).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            DestinationSecurityGroupId: { 'Fn::GetAtt': [endpoints[0], 'GroupId'] },
          }),
          expect.objectContaining({
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            DestinationPrefixListId: { 'Fn::GetAtt': [lookups[0]![0], 'PrefixLists.0.PrefixListId'] },
          }),
        ]),
      );
    }
  });

  it('the prefix list ids are looked up at deploy time by name in the stack region, with a read-only EC2 permission', () => {
    const lookupsOf = (t: Template, stage: string) =>
      [
        ['Custom::DynamoDbPrefixList', 'dynamodb'],
        ...(stage === 'staging' ? [['Custom::S3PrefixList', 's3']] : []),
      ].map(([type, service]) => [resourcesOf(t, type!)[0]![1], service!] as const);
    for (const [stage, region] of stages()) {
      const t = app.template(stage, region);
      for (const [lookup, service] of lookupsOf(t, stage)) {
        for (const phase of ['Create', 'Update']) {
          const call = JSON.parse(String(props(lookup)[phase])) as Json;
          expect(call).toMatchObject({
            service: 'EC2',
            action: 'DescribeManagedPrefixLists',
            parameters: { Filters: [{ Name: 'prefix-list-name', Values: [`com.amazonaws.${region}.${service}`] }] },
            physicalResourceId: { responsePath: 'PrefixLists.0.PrefixListId' },
          });
        }
        expectReadOnlyLookup(t, lookup);
      }
    }
  });

  it('every interface endpoint and the DynamoDB gateway endpoint admit only this account', () => {
    for (const [stage, region] of stages()) {
      const t = app.template(stage, region);
      const endpoints = resourcesOf(t, 'AWS::EC2::VPCEndpoint');
      expect(endpoints.map(([, e]) => apiOf(e)).sort()).toEqual(Object.keys(expectedScope).sort());
      for (const [id, e] of endpoints) {
        const api = apiOf(e);
        const scope = expectedScope[api]!;
        const doc = props(e).PolicyDocument as { Statement: Json[] } | undefined;
        expect(doc, `${id} has an endpoint policy`).toBeDefined();
        expect(doc!.Statement.length).toBeGreaterThan(0);
        for (const s of doc!.Statement) {
          expect(s.Effect).toBe('Allow');
          expect(s.Action, `${id} actions`).toBe(scope.actions);
          const equals = (s.Condition as { StringEquals?: Json } | undefined)?.StringEquals ?? {};
          expect(equals['aws:PrincipalAccount'], `${id} principal account`).toEqual(accountRef);
          if (scope.resourceAccount)
            expect(equals['aws:ResourceAccount'], `${id} resource account`).toEqual(accountRef);
          else expect(equals['aws:ResourceAccount'], `${id}: ${api} calls carry no resource account`).toBeUndefined();
        }
      }
    }
  });

  it('every AWS API the functions call has an endpoint the functions can reach', () => {
    // SDK client package -> endpoint API label. An unknown client fails: give it an endpoint first.
    const clientToApi: Record<string, string> = {
      dynamodb: 'dynamodb',
      'lib-dynamodb': 'dynamodb',
      sfn: 'states',
      eventbridge: 'events',
      cloudwatch: 'monitoring',
      sqs: 'sqs',
      lambda: 'lambda',
    };
    const lambdaDir = fileURLToPath(new URL('../lambda/', import.meta.url));
    // The console stack's audit archiver runs in these subnets too, but reaches S3 through the
    // gateway endpoint the console stack adds to them (infra/test/console-stack.test.ts checks it).
    const consoleStackFunctions = new Set(['audit-archiver.ts']);
    const sources = readdirSync(lambdaDir, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !consoleStackFunctions.has(f),
    );
    const clients = new Set<string>();
    for (const f of sources) {
      for (const m of readFileSync(join(lambdaDir, f), 'utf8').matchAll(
        /from '@aws-sdk\/((?:client|lib)-[a-z0-9-]+)'/g,
      ))
        clients.add(m[1]!.replace(/^client-/, ''));
    }
    expect(clients.size).toBeGreaterThan(0);
    const t = app.template('production', primaryRegion);
    const apis = resourcesOf(t, 'AWS::EC2::VPCEndpoint').map(([, e]) => apiOf(e));
    for (const client of clients) {
      const api = clientToApi[client];
      expect(api, `@aws-sdk/${client}: which endpoint serves it?`).toBeDefined();
      expect(apis, `@aws-sdk/${client}`).toContain(api);
    }
  });
});
