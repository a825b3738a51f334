/**
 * The e2e suite's staging-only parts (constructs/e2e-staging.ts, e2e-roles.ts): staging has the
 * GitHub OIDC runner role, which may only assume the publisher role (PutEvents with the e2e
 * source, nothing else) and the faults role (its fault experiments, its DLQ clean-up), one FIS
 * experiment template per fault target, and the functions' HTTPS route to S3 for the FIS
 * extension; the production stacks, in both regions, synthesize none of it (no e2e role, no FIS
 * template, no e2e route, no FIS extension on any function, no S3 egress).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AWS_E2E_SOURCE, AWS_FAULT_TARGETS } from '../../e2e/drivers/aws-contract';
import { stackId } from '../lib/app';
import { E2E_EVENT_SOURCE, E2eOutputKeys } from '../lib/constructs/e2e-staging';
import { primaryRegion, secondaryRegion } from '../platform/description';
import { buildConsoleApp, consoleOf, tpl } from './console-synth';
import { allResources, resourcesOf } from './synth';

// The platform stacks beside their console stacks (staging's S3 route is the console stack's).
const built = buildConsoleApp();
const platform = (stage: 'staging' | 'production', region: string) =>
  tpl(built.stacks.find((s) => s.stackName === stackId(stage, region))!);
type Json = Record<string, unknown>;
const props = (r: { Properties?: Json }) => r.Properties ?? {};
const text = (v: unknown) => String(JSON.stringify(v));

const staging = platform('staging', primaryRegion);
const production = [platform('production', primaryRegion), platform('production', secondaryRegion)];

/** The GitHub OIDC roles (the runner). */
function e2eRoles(t: typeof staging) {
  return resourcesOf(t, 'AWS::IAM::Role').filter(([, r]) =>
    text(props(r).AssumeRolePolicyDocument).includes('token.actions.githubusercontent.com'),
  );
}
/** The roles whose trust names the runner role. */
function chainedRoles(t: typeof staging, runnerId: string) {
  return resourcesOf(t, 'AWS::IAM::Role').filter(([, r]) =>
    text(props(r).AssumeRolePolicyDocument).includes(`"Fn::GetAtt":["${runnerId}","Arn"]`),
  );
}
function policiesOf(t: typeof staging, roleId: string): Json[] {
  return resourcesOf(t, 'AWS::IAM::ManagedPolicy')
    .filter(([, p]) => text(props(p).Roles).includes(`"${roleId}"`))
    .flatMap(([, p]) => (props(p).PolicyDocument as { Statement: Json[] }).Statement);
}
const actionsOf = (statements: Json[]) => statements.flatMap((s) => [s.Action].flat() as string[]).sort();
const roleByOutput = (t: typeof staging, key: string) => {
  const value = (t.toJSON().Outputs as Record<string, { Value: unknown }>)[key]!.Value as { 'Fn::GetAtt': string[] };
  return value['Fn::GetAtt'][0]!;
};

describe('e2e on staging', () => {
  it('the e2e role is assumable only from the repository’s staging environment through GitHub OIDC', () => {
    const roles = e2eRoles(staging);
    expect(roles).toHaveLength(1);
    const trust = text(props(roles[0]![1]).AssumeRolePolicyDocument);
    expect(trust).toContain('sts:AssumeRoleWithWebIdentity');
    expect(trust).toContain(':environment:staging');
    expect(trust).toContain('"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"');
  });

  it('the runner may only assume the publisher and faults roles, and only it may assume them', () => {
    const [runnerId] = e2eRoles(staging)[0]!;
    expect(roleByOutput(staging, E2eOutputKeys.role)).toBe(runnerId);
    const runner = policiesOf(staging, runnerId);
    expect(actionsOf(runner)).toEqual(['sts:AssumeRole']);
    const targets = [
      roleByOutput(staging, E2eOutputKeys.publisherRole),
      roleByOutput(staging, E2eOutputKeys.faultsRole),
    ];
    expect(runner[0]!.Resource).toEqual(expect.arrayContaining(targets.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }))));
    expect(runner[0]!.Resource).toHaveLength(2);
    expect(
      chainedRoles(staging, runnerId)
        .map(([id]) => id)
        .sort(),
    ).toEqual([...targets].sort());
    for (const id of targets) {
      const trust = (
        props(resourcesOf(staging, 'AWS::IAM::Role').find(([r]) => r === id)![1]).AssumeRolePolicyDocument as {
          Statement: Json[];
        }
      ).Statement;
      expect(trust).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': [runnerId, 'Arn'] } } },
      ]);
    }
  });

  it('the publisher role may do exactly one thing: events:PutEvents on the bus with the e2e source', () => {
    const statements = policiesOf(staging, roleByOutput(staging, E2eOutputKeys.publisherRole));
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Condition: {
        'ForAllValues:StringEquals': { 'events:source': E2E_EVENT_SOURCE },
        Null: { 'events:source': 'false' },
      },
    });
    expect(text(statements[0]!.Resource)).toContain('MessagingBus');
  });

  it('the faults role starts and stops its experiments and cleans the processing DLQ, nothing else', () => {
    const statements = policiesOf(staging, roleByOutput(staging, E2eOutputKeys.faultsRole));
    expect(actionsOf(statements)).toEqual(
      [
        'fis:GetExperiment',
        'fis:StartExperiment',
        'fis:StopExperiment',
        'kms:Decrypt',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ].sort(),
    );
    const sqs = statements.find((s) => [s.Action].flat().includes('sqs:DeleteMessage'))!;
    expect(text(sqs.Resource)).toContain('processingDlq');
    expect(text(sqs.Resource)).not.toContain('processingQueue');
    const start = statements.find((s) => s.Action === 'fis:StartExperiment')!;
    expect(text(start.Resource)).toContain('experiment-template/');
  });

  it('the fault targets reach S3 (FIS configuration) over the console stack’s one S3 gateway route of the isolated route tables', () => {
    const staged = tpl(consoleOf(built, 'staging', primaryRegion));
    const s3 = (t: typeof staging) =>
      resourcesOf(t, 'AWS::EC2::VPCEndpoint').filter(([, e]) => text(props(e).ServiceName).includes('.s3'));
    // One S3 gateway endpoint on the isolated route tables: a second one there could not be created.
    expect(s3(staging)).toEqual([]);
    const [endpoint] = s3(staged);
    expect(s3(staged)).toHaveLength(1);
    expect(props(endpoint![1]).VpcEndpointType).toBe('Gateway');
    const isolated = resourcesOf(staging, 'AWS::EC2::RouteTable')
      .map(([id]) => id)
      .filter((id) => id.includes('isolated'));
    expect(isolated.length).toBeGreaterThanOrEqual(2);
    for (const id of isolated) expect(text(props(endpoint![1]).RouteTableIds)).toContain(`Ref${id}`);
    // Its policy admits this account's principals on this account's buckets (the FIS config bucket is one).
    expect(text(props(endpoint![1]).PolicyDocument)).toContain('"aws:PrincipalAccount":{"Ref":"AWS::AccountId"}');
    const egress = resourcesOf(staging, 'AWS::EC2::SecurityGroupEgress').filter(([, r]) =>
      text(props(r).DestinationPrefixListId).includes('S3PrefixList'),
    );
    expect(egress).toHaveLength(1);
    expect(props(egress[0]![1])).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
  });

  it('the pipeline hands every e2e output (runner, publisher, faults roles, templates) to the e2e job', () => {
    const workflow = readFileSync(new URL('../../.github/workflows/deploy.yml', import.meta.url), 'utf8');
    for (const key of [
      E2eOutputKeys.role,
      E2eOutputKeys.publisherRole,
      E2eOutputKeys.faultsRole,
      E2eOutputKeys.templates,
    ])
      expect(workflow).toContain(`p.${key}`);
  });

  it('has one Lambda invocation-error experiment template per fault target, each on its own function', () => {
    const templates = resourcesOf(staging, 'AWS::FIS::ExperimentTemplate');
    expect(templates.length).toBe(AWS_FAULT_TARGETS.length);
    for (const [, t] of templates) {
      const p = props(t) as { Actions: Record<string, Json>; Targets: Record<string, Json> };
      expect(Object.values(p.Actions).map((a) => a.ActionId)).toEqual(['aws:lambda:invocation-error']);
      expect(Object.values(p.Targets).map((x) => x.ResourceType)).toEqual(['aws:lambda:function']);
      expect(Object.values(p.Targets)[0]!.ResourceArns).toHaveLength(1);
    }
    const out = staging.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(out)).toEqual(expect.arrayContaining(Object.values(E2eOutputKeys)));
    for (const target of AWS_FAULT_TARGETS)
      expect(text(out[E2eOutputKeys.templates]!.Value)).toContain(`"${target}\\":`);
  });

  it('routes e2e-source events to the processing queue as transaction.processing events, not through the archive', () => {
    const rules = resourcesOf(staging, 'AWS::Events::Rule').filter(([, r]) =>
      text(props(r).EventPattern).includes(E2E_EVENT_SOURCE),
    );
    expect(rules).toHaveLength(1);
    const target = (props(rules[0]![1]).Targets as Json[])[0]!;
    expect(text(target.InputTransformer)).toContain('\\"source\\":\\"transaction.processing\\"');
    expect(AWS_E2E_SOURCE).toBe(E2E_EVENT_SOURCE);
    for (const [, a] of resourcesOf(staging, 'AWS::Events::Archive'))
      expect(text(props(a).EventPattern)).not.toContain(E2E_EVENT_SOURCE);
  });

  it('the production stacks (both regions) synthesize no e2e role, no fault template, no e2e route, no FIS extension', () => {
    for (const t of production) {
      expect(e2eRoles(t)).toEqual([]);
      expect(resourcesOf(t, 'AWS::FIS::ExperimentTemplate')).toEqual([]);
      expect(resourcesOf(t, 'AWS::S3::Bucket')).toEqual([]);
      const all = text(allResources(t));
      expect(all).not.toContain(E2E_EVENT_SOURCE);
      expect(all).not.toContain('AWS_FIS_CONFIGURATION_LOCATION');
      expect(all).not.toContain('fis.amazonaws.com');
      expect(resourcesOf(t, 'Custom::S3PrefixList')).toEqual([]);
      expect(all).not.toContain('S3PrefixList');
      for (const key of Object.values(E2eOutputKeys))
        expect(Object.keys((t.toJSON().Outputs ?? {}) as Json)).not.toContain(key);
    }
    // ...while staging's functions do carry the extension: the assertion above can fail.
    expect(text(allResources(staging))).toContain('AWS_FIS_CONFIGURATION_LOCATION');
    expect(resourcesOf(staging, 'Custom::S3PrefixList')).toHaveLength(1);
  });
});
