/**
 * The e2e suite's staging-only parts (constructs/e2e-staging.ts): staging has the e2e role
 * (PutEvents with the e2e source only, its fault experiments, its DLQ clean-up) and one FIS
 * experiment template per fault target; the production stacks, in both regions, synthesize none
 * of it (no e2e role, no FIS template, no e2e route, no FIS extension on any function).
 */
import { describe, expect, it } from 'vitest';
import { AWS_E2E_SOURCE, AWS_FAULT_TARGETS } from '../../e2e/drivers/aws-contract';
import { E2E_EVENT_SOURCE, E2eOutputKeys } from '../lib/constructs/e2e-staging';
import { primaryRegion, secondaryRegion } from '../platform/description';
import { allResources, resourcesOf, synthesize } from './synth';

const app = synthesize({ nag: false });
type Json = Record<string, unknown>;
const props = (r: { Properties?: Json }) => r.Properties ?? {};
const text = (v: unknown) => String(JSON.stringify(v));

const staging = app.template('staging', primaryRegion);
const production = [app.template('production', primaryRegion), app.template('production', secondaryRegion)];

function e2eRoles(t: typeof staging) {
  return resourcesOf(t, 'AWS::IAM::Role').filter(([, r]) =>
    text(props(r).AssumeRolePolicyDocument).includes('token.actions.githubusercontent.com'),
  );
}
function policiesOf(t: typeof staging, roleId: string): Json[] {
  return resourcesOf(t, 'AWS::IAM::ManagedPolicy')
    .filter(([, p]) => text(props(p).Roles).includes(`"${roleId}"`))
    .flatMap(([, p]) => (props(p).PolicyDocument as { Statement: Json[] }).Statement);
}

describe('e2e on staging', () => {
  it('the e2e role is assumable only from the repository’s staging environment through GitHub OIDC', () => {
    const roles = e2eRoles(staging);
    expect(roles).toHaveLength(1);
    const trust = text(props(roles[0]![1]).AssumeRolePolicyDocument);
    expect(trust).toContain('sts:AssumeRoleWithWebIdentity');
    expect(trust).toContain(':environment:staging');
    expect(trust).toContain('"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"');
  });

  it('puts events on the bus only with the e2e source, and touches nothing else of the platform but its DLQ clean-up', () => {
    const [roleId] = e2eRoles(staging)[0]!;
    const statements = policiesOf(staging, roleId);
    const actions = statements.flatMap((s) => [s.Action].flat() as string[]).sort();
    expect(actions).toEqual(
      [
        'events:PutEvents',
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
    const put = statements.find((s) => s.Action === 'events:PutEvents')!;
    expect(put.Condition).toEqual({ StringEquals: { 'events:source': E2E_EVENT_SOURCE } });
    const sqs = statements.find((s) => [s.Action].flat().includes('sqs:DeleteMessage'))!;
    expect(text(sqs.Resource)).toContain('processingDlq');
    expect(text(sqs.Resource)).not.toContain('processingQueue');
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
      expect(Object.keys((t.toJSON().Outputs ?? {}) as Json)).not.toContain(E2eOutputKeys.role);
    }
    // ...while staging's functions do carry the extension: the assertion above can fail.
    expect(text(allResources(staging))).toContain('AWS_FIS_CONFIGURATION_LOCATION');
  });
});
