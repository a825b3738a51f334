/**
 * What the e2e suite needs to make failures on STAGING (mounted by platform-stack.ts for
 * stage === 'staging' only; it refuses any other stage):
 * - the e2e roles (constructs/e2e-roles.ts): a GitHub OIDC runner role (the repository's
 *   `staging` environment only) that may only assume the publisher role (events:PutEvents on the
 *   staging bus with `events:source` = E2E_EVENT_SOURCE, nothing else) and the faults role
 *   (start / stop of this construct's fault experiments; receive + delete on the processing DLQ
 *   for clean-up: the suite deletes only its own `tx-e2e-` dead letters);
 * - a rule that routes E2E_EVENT_SOURCE events to the processing queue rewritten as
 *   `transaction.processing` events (the processor accepts only the platform's sources; the
 *   archive never sees them, so a replay never re-delivers a test event);
 * - AWS FIS experiment templates, one per fault target (each saga step function, the processor):
 *   `aws:lambda:invocation-error` on that function for at most 15 minutes, with their role and the
 *   S3 location FIS writes the fault configuration to; the targets get the FIS Lambda extension
 *   layer, read access to that location, and (Network.allowS3Egress) HTTPS egress to S3.
 */
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { CfnExperimentTemplate } from 'aws-cdk-lib/aws-fis';
import { PolicyStatement, PrincipalWithConditions, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { acknowledge, renderForNag } from '../nag';
import { createE2eRoles, type E2eRoles } from './e2e-roles';
import { ManagedPolicyRole } from './managed-policy-role';
import type { Messaging } from './messaging';
import type { Network } from './network';
import type { PlatformFunction } from './platform-function';
import type { Processing } from './processing';

/** The only source the e2e role may put on the bus (e2e/drivers/aws-driver.ts sends it). */
export const E2E_EVENT_SOURCE = 'ledgerline.e2e';
/** Where FIS writes the Lambda fault configuration (one prefix of the construct's bucket). */
export const FIS_CONFIG_PREFIX = 'FisConfigs';
/** Stack output keys the pipeline and the AWS driver read. */
export const E2eOutputKeys = {
  /** The GitHub OIDC runner role: it may only assume the two below. */
  role: 'E2eRoleArn',
  publisherRole: 'E2ePublisherRoleArn',
  faultsRole: 'E2eFaultsRoleArn',
  source: 'E2eEventSource',
  templates: 'E2eFaultTemplates',
} as const;
/** Public SSM parameter holding the regional ARN of the FIS Lambda extension (arm64). */
const FIS_EXTENSION_PARAMETER = '/aws/service/fis/lambda-extension/AWS-FIS-extension-arm64/1.x.x';

export interface E2eStagingProps {
  stage: string;
  /** The platform stack's parts: the bus, the processing queue (shard 0) + DLQ, the functions, the network. */
  platform: { messaging: Messaging; processing: Processing; network: Network };
  key: IKey;
}

/** Fault target name (each saga task, 'processor') -> its function. */
function faultTargetsOf(processing: Processing): Record<string, PlatformFunction> {
  return { ...processing.sagaTasks, processor: processing.processor };
}

export class E2eStaging extends Construct {
  readonly roles: E2eRoles;
  readonly templates: Record<string, CfnExperimentTemplate> = {};

  constructor(scope: Construct, id: string, props: E2eStagingProps) {
    super(scope, id);
    if (props.stage !== 'staging') throw new Error(`E2eStaging is for staging only, not ${props.stage}`);
    const stack = Stack.of(this);
    const { messaging, processing } = props.platform;
    const shard = messaging.shards[0]!;
    const faultTargets = faultTargetsOf(processing);
    // `owner/name` of the GitHub repository whose `staging` environment may assume the e2e role.
    const repository = String(this.node.tryGetContext('githubRepository') ?? 'ledgerline/ledgerline');

    // Test events reach the processor as transaction.processing events; never the archive.
    new Rule(this, 'E2eEventsRoute', {
      eventBus: messaging.bus,
      description: `Routes ${E2E_EVENT_SOURCE} events (e2e suite, staging only) to the processing queue`,
      eventPattern: { source: [E2E_EVENT_SOURCE], detailType: ['TransactionSubmitted'] },
      targets: [
        new SqsQueue(shard.queue, {
          deadLetterQueue: messaging.busDlq,
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
          message: RuleTargetInput.fromObject({
            version: '0',
            id: EventField.eventId,
            source: 'transaction.processing',
            'detail-type': EventField.detailType,
            account: EventField.account,
            time: EventField.time,
            region: EventField.region,
            resources: [],
            detail: EventField.fromPath('$.detail'),
          }),
        }),
      ],
    });

    const bucket = new Bucket(this, 'FisConfig', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.DESTROY,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(1) }],
    });
    const why =
      'Staging-only bucket of the FIS Lambda extension: it holds fault settings FIS writes while an experiment runs, never payment data';
    for (const rule of [
      'AwsSolutions-S1',
      'NIST.800.53.R5-S3BucketLoggingEnabled',
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'NIST.800.53.R5-S3DefaultEncryptionKMS',
      'PCI.DSS.321-S3BucketLoggingEnabled',
      'PCI.DSS.321-S3BucketReplicationEnabled',
      'PCI.DSS.321-S3DefaultEncryptionKMS',
    ])
      acknowledge(bucket, rule, `${why} (deleted after each experiment), so ${rule} adds nothing.`);
    const configObjects = bucket.arnForObjects(`${FIS_CONFIG_PREFIX}/*`);
    const configLocation = `arn:${Aws.PARTITION}:s3:::${bucket.bucketName}/${FIS_CONFIG_PREFIX}/`;

    const extension = LayerVersion.fromLayerVersionArn(
      this,
      'FisExtension',
      StringParameter.valueForStringParameter(this, FIS_EXTENSION_PARAMETER),
    );
    const fisRole = new ManagedPolicyRole(this, 'FisRole', {
      assumedBy: new PrincipalWithConditions(new ServicePrincipal('fis.amazonaws.com'), {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      }),
      description: 'Runs the e2e fault experiments on staging (writes the FIS Lambda extension configuration)',
      statements: [
        new PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject'], resources: [configObjects] }),
        new PolicyStatement({
          actions: ['lambda:GetFunction'],
          resources: Object.values(faultTargets).map((t) => t.fn.functionArn),
        }),
      ],
    });
    acknowledge(
      fisRole,
      `AwsSolutions-IAM5[Resource::${renderForNag(this, configObjects)}]`,
      'FIS names each fault configuration object itself (one per experiment) under this one prefix of the staging-only FIS bucket.',
    );

    // The extension reads that location from inside the VPC: HTTPS to S3 (staging's functions only).
    props.platform.network.allowS3Egress(
      'HTTPS to S3: the FIS Lambda extension reads its configuration (staging only)',
    );

    for (const [name, target] of Object.entries(faultTargets)) {
      target.fn.addLayers(extension);
      target.fn.addEnvironment('AWS_FIS_CONFIGURATION_LOCATION', configLocation);
      target.fn.addEnvironment('AWS_LAMBDA_EXEC_WRAPPER', '/opt/aws-fis/bootstrap');
      target.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${FIS_CONFIG_PREFIX}/*`] } },
        }),
      );
      target.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [configObjects] }));
      acknowledge(
        target.role,
        `AwsSolutions-IAM5[Resource::${renderForNag(this, configObjects)}]`,
        'The FIS Lambda extension (staging only) reads the fault configuration FIS writes under this prefix; object names are FIS-generated.',
      );
      this.templates[name] = new CfnExperimentTemplate(this, `Outage${name}`, {
        description: `e2e: ${name} is down (every invocation fails) until stopped, at most 15 minutes`,
        roleArn: fisRole.roleArn,
        stopConditions: [{ source: 'none' }],
        targets: {
          Functions: {
            resourceType: 'aws:lambda:function',
            resourceArns: [target.fn.functionArn],
            selectionMode: 'ALL',
          },
        },
        actions: {
          InvocationError: {
            actionId: 'aws:lambda:invocation-error',
            parameters: { duration: 'PT15M', invocationPercentage: '100', preventExecution: 'true' },
            targets: { Functions: 'Functions' },
          },
        },
        tags: { Name: `ledgerline-staging-e2e-outage-${name}`, Purpose: 'e2e' },
      });
    }

    const templateArns = Object.values(this.templates).map((t) =>
      stack.formatArn({ service: 'fis', resource: 'experiment-template', resourceName: t.attrId }),
    );
    const experiments = stack.formatArn({ service: 'fis', resource: 'experiment', resourceName: '*' });
    this.roles = createE2eRoles(this, {
      repository,
      source: E2E_EVENT_SOURCE,
      bus: messaging.bus,
      templateArns,
      experiments,
      dlq: shard.dlq,
      key: props.key,
    });

    const roleOutputs = [
      [E2eOutputKeys.role, this.roles.runner, 'Role of the e2e runner (staging, GitHub OIDC): assumes the two below'],
      [E2eOutputKeys.publisherRole, this.roles.publisher, 'e2e role that puts test events (e2e source only)'],
      [E2eOutputKeys.faultsRole, this.roles.faults, 'e2e role that starts/stops faults and cleans its dead letters'],
    ] as const;
    for (const [key, role, description] of roleOutputs) new CfnOutput(stack, key, { value: role.roleArn, description });
    new CfnOutput(stack, E2eOutputKeys.source, {
      value: E2E_EVENT_SOURCE,
      description: 'Event source of e2e test events',
    });
    new CfnOutput(stack, E2eOutputKeys.templates, {
      value: stack.toJsonString(Object.fromEntries(Object.entries(this.templates).map(([k, t]) => [k, t.attrId]))),
      description: 'Fault target -> FIS experiment template id (JSON)',
    });
  }
}
