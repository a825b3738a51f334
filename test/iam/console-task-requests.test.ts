/**
 * The console's own AWS calls (its task role, not an operator role), recorded for the IAM
 * evaluation: reading the platform stack's outputs (server/platform/aws/config.ts,
 * cloudformation:DescribeStacks) in every region of each stage, and assuming each operator role
 * with the operator as SourceIdentity (server/platform/aws/credentials.ts).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, expect, it } from 'vitest';
import { primaryRegion, secondaryRegion } from '../../infra/platform/description';
import { roles } from '../../server/auth/permissions.schema';
import { loadAwsPlatformConfig, stackNameFor } from '../../server/platform/aws/config';
import { createRoleCredentials } from '../../server/platform/aws/credentials';
import { RequestRecorder } from './recording';

const ACCOUNT = '111122223333';
const cfn = mockClient(CloudFormationClient);
const sts = mockClient(STSClient);
const recorder = new RequestRecorder();
afterAll(() => recorder.checkCatalog());

const record = (region: string, calls: { args: unknown[] }[], clientName: string) => {
  for (const c of calls)
    recorder.record(
      'console-task',
      clientName,
      c.args[0] as object,
      { account: ACCOUNT, region },
      expect.getState().testPath,
    );
};

const places = [
  { stage: 'staging', region: primaryRegion },
  { stage: 'production', region: primaryRegion },
  { stage: 'production', region: secondaryRegion },
] as const;

it.each(places)(
  'reads the outputs of the $stage platform stack in $region with DescribeStacks',
  async ({ stage, region }) => {
    cfn.reset();
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [] });
    await expect(
      loadAwsPlatformConfig(stage, region, { cloudFormation: new CloudFormationClient({ region }) }),
    ).rejects.toMatchObject({
      code: 'Unavailable',
    });
    const calls = cfn.commandCalls(DescribeStacksCommand);
    expect(calls.map((c) => c.args[0].input.StackName)).toEqual([stackNameFor(stage, region)]);
    record(region, calls, 'CloudFormationClient');
  },
);

it.each(places)(
  'assumes each $stage operator role with the operator as SourceIdentity ($region)',
  async ({ stage, region }) => {
    sts.reset();
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'AKID',
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: new Date(Date.now() + 900_000),
      },
    });
    const prefix = `ledgerline-${stage}`;
    const credentials = createRoleCredentials({
      roleArns: Object.fromEntries(
        roles.map((r) => [r, `arn:aws:iam::${ACCOUNT}:role/${prefix}-console-${r}`]),
      ) as Record<(typeof roles)[number], string>,
      sts: new STSClient({ region }),
    });
    for (const role of roles) await credentials.get({ id: 'op-1', name: 'Operator One', role });
    const calls = sts.commandCalls(AssumeRoleCommand);
    expect(calls.map((c) => c.args[0].input.SourceIdentity)).toEqual(roles.map(() => 'op-1'));
    record(region, calls, 'STSClient');
  },
);
