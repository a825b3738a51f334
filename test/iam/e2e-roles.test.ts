/**
 * The staging e2e roles, evaluated with @cloud-copilot/iam-simulate against their synthesized
 * policies: the GitHub OIDC runner may only assume the publisher and faults roles (their trust
 * admits it); the publisher may put events on the bus only with the e2e source; the faults role
 * may start its templates and clean the processing DLQ, and may put no event.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { E2E_EVENT_SOURCE } from '../../infra/lib/constructs/e2e-staging';
import { synthesize } from '../../infra/test/synth';
import { resolveRole, stackViews, type ResolvedRole } from './stack-policies';

const ACCOUNT = '111122223333';
let runner: ResolvedRole, publisher: ResolvedRole, faults: ResolvedRole;

beforeAll(() => {
  const { outdir } = synthesize({ nag: false, stages: ['staging'] });
  const stack = stackViews(new CloudAssembly(outdir), ACCOUNT).find((s) =>
    s.stackName.startsWith('ledgerline-staging'),
  )!;
  const role = (prefix: string) => {
    const ids = Object.keys(stack.template.Resources).filter(
      (id) => id.startsWith(prefix) && stack.template.Resources[id]!.Type === 'AWS::IAM::Role',
    );
    expect(ids, prefix).toHaveLength(1);
    return resolveRole(stack, ids[0]!);
  };
  runner = role('E2eStagingE2eRole');
  publisher = role('E2eStagingE2ePublisherRole');
  faults = role('E2eStagingE2eFaultsRole');
});

type Statement = { Sid?: string; Resource: string | string[] };
/** The resources of a statement of the role's policies, by Sid. */
const resourcesOf = (role: ResolvedRole, sid: string): string[] => {
  const s = role.policies.flatMap((p) => (p.policy as { Statement: Statement[] }).Statement).find((x) => x.Sid === sid);
  if (!s) throw new Error(`${role.logicalId}: no statement ${sid}`);
  return [s.Resource].flat();
};

async function decide(
  role: ResolvedRole,
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
  resourcePolicy?: unknown,
) {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${role.arn.split(':role/')[1]}/session`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: { 'aws:PrincipalArn': role.arn, ...context },
      },
      identityPolicies: role.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe('staging e2e roles (IAM evaluation)', () => {
  it('the publisher puts events only with the e2e source, and does nothing else', async () => {
    const [bus] = resourcesOf(publisher, 'PutE2eEventsOnly');
    expect(bus).toMatch(/^arn:aws:events:us-east-1:111122223333:event-bus\//);
    expect(await decide(publisher, 'events:PutEvents', bus!, { 'events:source': E2E_EVENT_SOURCE })).toBe('Allowed');
    // One entry of another source in the same call is enough to refuse it.
    expect(
      await decide(publisher, 'events:PutEvents', bus!, {
        'events:source': [E2E_EVENT_SOURCE, 'transaction.processing'],
      }),
    ).not.toBe('Allowed');
    for (const source of ['transaction.processing', 'payment.saga'])
      expect(await decide(publisher, 'events:PutEvents', bus!, { 'events:source': source })).not.toBe('Allowed');
    const [template] = resourcesOf(faults, 'StartFaults');
    const [dlq] = resourcesOf(faults, 'CleanUpOwnDeadLetters');
    expect(await decide(publisher, 'fis:StartExperiment', template!)).not.toBe('Allowed');
    expect(await decide(publisher, 'sqs:DeleteMessage', dlq!)).not.toBe('Allowed');
  });

  it('the faults role starts its templates and cleans the processing DLQ, and puts no event', async () => {
    const [template] = resourcesOf(faults, 'StartFaults');
    const [dlq] = resourcesOf(faults, 'CleanUpOwnDeadLetters');
    expect(await decide(faults, 'fis:StartExperiment', template!)).toBe('Allowed');
    expect(await decide(faults, 'sqs:DeleteMessage', dlq!)).toBe('Allowed');
    expect(await decide(faults, 'sqs:DeleteMessage', dlq!.replace(/-dlq$/, ''))).not.toBe('Allowed');
    const [bus] = resourcesOf(publisher, 'PutE2eEventsOnly');
    expect(await decide(faults, 'events:PutEvents', bus!, { 'events:source': E2E_EVENT_SOURCE })).not.toBe('Allowed');
  });

  it('the runner only assumes the two e2e roles (their trust admits it), and calls nothing itself', async () => {
    for (const target of [publisher, faults])
      expect(await decide(runner, 'sts:AssumeRole', target.arn, {}, target.trust)).toBe('Allowed');
    // Its own identity may not reach into other roles, nor the bus.
    const admin = `arn:aws:iam::${ACCOUNT}:role/ledgerline-staging-console-admin`;
    expect(await decide(runner, 'sts:AssumeRole', admin)).not.toBe('Allowed');
    const [bus] = resourcesOf(publisher, 'PutE2eEventsOnly');
    expect(await decide(runner, 'events:PutEvents', bus!, { 'events:source': E2E_EVENT_SOURCE })).not.toBe('Allowed');
    // Another principal of the account with AssumeRole on everything is refused by the trust policy.
    const other: ResolvedRole = {
      ...runner,
      arn: `arn:aws:iam::${ACCOUNT}:role/someone-else`,
      policies: [
        {
          name: 'all',
          policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] },
        },
      ],
    };
    expect(await decide(other, 'sts:AssumeRole', publisher.arn, {}, publisher.trust)).not.toBe('Allowed');
  });
});
