/**
 * The e2e suite's roles on STAGING (created by constructs/e2e-staging.ts only):
 * - `E2eRole`, the runner: assumable only by GitHub OIDC from the repository's `staging`
 *   environment; it may do nothing but sts:AssumeRole into the two roles below.
 * - `E2ePublisherRole`: events:PutEvents on the staging bus with `events:source` = the e2e
 *   source, and nothing else (the "staging-only e2e role allowed only events:PutEvents
 *   with the e2e source").
 * - `E2eFaultsRole`: start / stop of the construct's FIS experiment templates, and for clean-up
 *   receive + delete on the processing DLQ (and decrypt with the stage key to read it).
 * Both are assumable by the runner only (role chaining: sessions of at most one hour). The AWS
 * driver (e2e/drivers/aws-driver.ts) sends EventBridge calls as the publisher, FIS and SQS calls
 * as the faults role.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { ArnPrincipal, PolicyStatement, WebIdentityPrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge, renderForNag } from '../nag';
import { ManagedPolicyRole } from './managed-policy-role';

const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

export interface E2eRolesProps {
  /** `owner/name` of the GitHub repository whose `staging` environment runs the suite. */
  repository: string;
  /** The only event source the publisher may put. */
  source: string;
  bus: IEventBus;
  /** ARNs of the FIS experiment templates the faults role may start. */
  templateArns: string[];
  /** ARN pattern of this account's FIS experiments (their ids exist only once started). */
  experiments: string;
  /** The processing DLQ (shard 0) the suite cleans its own dead letters from. */
  dlq: IQueue;
  key: IKey;
}

export interface E2eRoles {
  runner: ManagedPolicyRole;
  publisher: ManagedPolicyRole;
  faults: ManagedPolicyRole;
}

export function createE2eRoles(scope: Construct, props: E2eRolesProps): E2eRoles {
  const provider = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:oidc-provider/${GITHUB_OIDC_HOST}`;
  const runner = new ManagedPolicyRole(scope, 'E2eRole', {
    assumedBy: new WebIdentityPrincipal(provider, {
      StringEquals: {
        [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
        [`${GITHUB_OIDC_HOST}:sub`]: `repo:${props.repository}:environment:staging`,
      },
    }),
    // The e2e job may run 90 minutes: the chained one-hour sessions are refreshed from this one.
    maxSessionDuration: Duration.hours(2),
    description: 'The e2e suite on staging (GitHub OIDC): may only assume the e2e publisher and faults roles',
  });
  const byRunner = new ArnPrincipal(runner.roleArn);

  const publisher = new ManagedPolicyRole(scope, 'E2ePublisherRole', {
    assumedBy: byRunner,
    maxSessionDuration: Duration.hours(1),
    description: `The e2e suite on staging: puts test events with the source ${props.source} on the bus, nothing else`,
    statements: [
      new PolicyStatement({
        sid: 'PutE2eEventsOnly',
        actions: ['events:PutEvents'],
        resources: [props.bus.eventBusArn],
        // events:source is multivalued (one per entry of a PutEvents call): every entry must carry
        // the e2e source (ForAllValues), and the key must be present (Null false: a set operator
        // alone would also match a request without it).
        conditions: {
          'ForAllValues:StringEquals': { 'events:source': props.source },
          Null: { 'events:source': 'false' },
        },
      }),
    ],
  });

  const faults = new ManagedPolicyRole(scope, 'E2eFaultsRole', {
    assumedBy: byRunner,
    maxSessionDuration: Duration.hours(1),
    description: 'The e2e suite on staging: starts and stops its fault experiments, cleans its own dead letters',
    statements: [
      new PolicyStatement({
        sid: 'StartFaults',
        actions: ['fis:StartExperiment'],
        resources: [...props.templateArns, props.experiments],
      }),
      new PolicyStatement({
        sid: 'StopFaults',
        actions: ['fis:StopExperiment', 'fis:GetExperiment'],
        resources: [props.experiments],
      }),
      new PolicyStatement({
        sid: 'CleanUpOwnDeadLetters',
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        resources: [props.dlq.queueArn],
      }),
    ],
  });
  props.key.grantDecrypt(faults);
  acknowledge(
    faults,
    `AwsSolutions-IAM5[Resource::${renderForNag(scope, props.experiments)}]`,
    'An experiment id exists only once StartExperiment returns it; the role can start only the templates of this construct.',
  );

  runner.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'AssumeE2eRolesOnly',
      actions: ['sts:AssumeRole'],
      resources: [publisher.roleArn, faults.roleArn],
    }),
  );
  return { runner, publisher, faults };
}
