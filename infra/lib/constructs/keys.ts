/**
 * One customer-managed KMS key per stage and region. Every service that stores platform data
 * uses it (SQS, SNS, EventBridge bus and archive, DynamoDB, Step Functions, CloudWatch Logs,
 * Lambda environment); nothing is on an AWS-managed key. The key policy names each service:
 * services that act on their own (Logs, EventBridge, CloudWatch alarms -> SNS, Step Functions
 * logging) get a service-principal statement scoped by source account / encryption context;
 * services used through a caller's identity (SQS, SNS, DynamoDB, Lambda, Step Functions) are
 * limited to their own endpoint with `kms:ViaService`.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccountRootPrincipal, Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface PlatformKeyProps {
  /** Alias without the `alias/` prefix, e.g. `ledgerline-production`. The same alias exists in every region of the stage. */
  aliasName: string;
  /** RETAIN in every stage: deleting the key makes archives, tables and DLQs unreadable. */
  removalPolicy?: RemovalPolicy;
}

/** Services that encrypt through a caller's IAM identity (kms:ViaService). */
const viaServices = ['sqs', 'sns', 'dynamodb', 'lambda', 'states', 'events'] as const;

export class PlatformKey extends Construct {
  readonly key: Key;
  readonly aliasName: string;

  constructor(scope: Construct, id: string, props: PlatformKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.aliasName = `alias/${props.aliasName}`;
    this.key = new Key(this, 'Key', {
      alias: this.aliasName,
      description: `Ledgerline ${props.aliasName}: customer-managed key for all platform encryption`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const account = stack.account;
    const region = stack.region;
    const use = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

    // CloudWatch Logs encrypts log groups itself; scoped to this account's log groups.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchLogs',
        principals: [new ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: use,
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    // EventBridge encrypts the bus, the archive and writes to encrypted SQS targets/DLQs;
    // CloudWatch alarms publish to the encrypted SNS topic; Step Functions uses the key for
    // its state machine data and delivers encrypted logs.
    for (const [sid, service] of [
      ['EventBridge', 'events.amazonaws.com'],
      ['CloudWatchAlarms', 'cloudwatch.amazonaws.com'],
      ['StepFunctions', 'states.amazonaws.com'],
      ['LogDelivery', 'delivery.logs.amazonaws.com'],
    ] as const) {
      this.key.addToResourcePolicy(
        new PolicyStatement({
          sid,
          principals: [new ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:DescribeKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': account } },
        }),
      );
    }
    // Principals of this account may use the key only through the platform's services.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'ViaPlatformServices',
        effect: Effect.ALLOW,
        principals: [new AccountRootPrincipal()],
        actions: use,
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': viaServices.map((s) => `${s}.${region}.amazonaws.com`) } },
      }),
    );
  }
}
