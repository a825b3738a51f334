/**
 * One customer-managed KMS key per stage and region. Every service that stores platform data
 * uses it (SQS, SNS, EventBridge bus and archive, DynamoDB, Step Functions, CloudWatch Logs,
 * Lambda environment); nothing is on an AWS-managed key.
 *
 * The key policy is written out in full (`policy`), so CDK does NOT add its default
 * "account root may do kms:*" statement. What the account's IAM identities can do is bounded
 * by these statements, whatever their IAM policies say:
 *  - KeyAdministration: manage the key (describe, enable/disable, rotate, tag, alias, policy,
 *    schedule/cancel deletion), never use it and never create a grant;
 *  - ViaPlatformServices: encrypt/decrypt only through the platform's services in this region
 *    (`kms:ViaService`), never by calling KMS directly;
 *  - GrantsForAwsResources: `kms:CreateGrant` only when an integrated AWS service creates the
 *    grant for one of its resources (`kms:GrantIsForAWSResource`: DynamoDB tables, Lambda);
 *  - services that act on their own (Logs, EventBridge, CloudWatch alarms -> SNS, Step
 *    Functions and its log delivery) get a service-principal statement scoped to this account.
 * CDK's own grants (`key.grant*(role)`) land in the ROLE's policy for roles of this account
 * (trustAccountIdentities); they work because the key policy allows the account root through
 * ViaPlatformServices. Statements CDK adds to the key policy itself (e.g. Step Functions'
 * log-delivery `kms:Decrypt*`) go through `addToResourcePolicy`: service-principal statements
 * without a condition are scoped to this account (aws:SourceAccount), anything else is refused.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRootPrincipal,
  Effect,
  PolicyDocument,
  PolicyStatement,
  ServicePrincipal,
  type AddToResourcePolicyResult,
} from 'aws-cdk-lib/aws-iam';
import { Key, type KeyProps } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface PlatformKeyProps {
  /** Alias without the `alias/` prefix, e.g. `ledgerline-production`. The same alias exists in every region of the stage. */
  aliasName: string;
  /** RETAIN in every stage: deleting the key makes archives, tables and DLQs unreadable. */
  removalPolicy?: RemovalPolicy;
}

/** Services that encrypt/decrypt through a caller's IAM identity (kms:ViaService `<service>.<region>.amazonaws.com`). */
export const viaServices = ['sqs', 'sns', 'dynamodb', 'lambda', 'states', 'events', 'logs'] as const;

/** Cryptographic operations: only through {@link viaServices} for the account's identities. */
export const cryptographicActions = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
] as const;

/**
 * Key administration (the AWS "key administrators" statement of the default console policy),
 * with `kms:CreateAlias` in place of `kms:Create*`: the wildcard would include
 * `kms:CreateGrant`, which is allowed only for AWS resources (GrantsForAwsResources).
 */
export const keyAdministrationActions = [
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
] as const;

/**
 * A Key whose later resource-policy additions (by CDK constructs) cannot widen the policy:
 * statements for service principals are scoped to the account when they carry no condition;
 * statements for any other principal are refused with an error naming them.
 */
class ScopedKey extends Key {
  private readonly sourceAccount: string;

  constructor(scope: Construct, id: string, props: KeyProps & { sourceAccount: string }) {
    const { sourceAccount, ...keyProps } = props;
    super(scope, id, keyProps);
    this.sourceAccount = sourceAccount;
  }

  override addToResourcePolicy(statement: PolicyStatement, allowNoOp?: boolean): AddToResourcePolicyResult {
    const json = statement.toStatementJson() as { Principal?: Record<string, unknown>; Condition?: unknown };
    const principalKinds = Object.keys(json.Principal ?? {});
    if (principalKinds.length !== 1 || principalKinds[0] !== 'Service') {
      throw new Error(
        `PlatformKey: refusing to add a key-policy statement for ${JSON.stringify(json.Principal)} ` +
          `(${JSON.stringify(statement.actions)}); account identities use the key through ViaPlatformServices, ` +
          'so grant them in their IAM policy instead.',
      );
    }
    const conditions = (statement.conditions ?? {}) as Record<string, unknown>;
    if (Object.keys(conditions).length === 0)
      statement.addCondition('StringEquals', { 'aws:SourceAccount': this.sourceAccount });
    return super.addToResourcePolicy(statement, allowNoOp);
  }
}

export class PlatformKey extends Construct {
  readonly key: Key;
  readonly aliasName: string;

  constructor(scope: Construct, id: string, props: PlatformKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.aliasName = `alias/${props.aliasName}`;
    const account: string = stack.account;
    const region: string = stack.region;
    const root = new AccountRootPrincipal();

    const statements = [
      new PolicyStatement({
        sid: 'KeyAdministration',
        principals: [root],
        actions: [...keyAdministrationActions],
        resources: ['*'],
      }),
      // Principals of this account may use the key only through the platform's services.
      new PolicyStatement({
        sid: 'ViaPlatformServices',
        effect: Effect.ALLOW,
        principals: [root],
        actions: [...cryptographicActions],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': viaServices.map((s) => `${s}.${region}.amazonaws.com`) } },
      }),
      // DynamoDB (tables, global-table replicas) and Lambda (environment) keep a grant per resource.
      new PolicyStatement({
        sid: 'GrantsForAwsResources',
        principals: [root],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
      // CloudWatch Logs encrypts log groups itself; scoped to this account's log groups.
      new PolicyStatement({
        sid: 'CloudWatchLogs',
        principals: [new ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: [...cryptographicActions],
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
    ];
    // EventBridge encrypts the bus, the archive and writes to encrypted SQS targets/DLQs;
    // CloudWatch alarms publish to the encrypted SNS topic; Step Functions uses the key for
    // its state machine data and delivers encrypted logs.
    for (const [sid, service] of [
      ['EventBridge', 'events.amazonaws.com'],
      ['CloudWatchAlarms', 'cloudwatch.amazonaws.com'],
      ['StepFunctions', 'states.amazonaws.com'],
      ['LogDelivery', 'delivery.logs.amazonaws.com'],
    ] as const) {
      statements.push(
        new PolicyStatement({
          sid,
          principals: [new ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:DescribeKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': account } },
        }),
      );
    }

    this.key = new ScopedKey(this, 'Key', {
      alias: this.aliasName,
      description: `Ledgerline ${props.aliasName}: customer-managed key for all platform encryption`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      policy: new PolicyDocument({ statements }),
      sourceAccount: account,
    });
  }
}
