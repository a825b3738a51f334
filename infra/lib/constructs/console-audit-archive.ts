/**
 * The locked copy of the console's audit log: the audit table's stream (NEW_IMAGE) drives the
 * archiver (infra/lambda/audit-archiver.ts), which writes each entry once to a bucket with S3
 * Object Lock in COMPLIANCE mode (default retention from context, nobody in the account, root
 * included, can shorten it or delete a locked version), KMS-encrypted with the console key.
 * Failed batches go to an encrypted on-failure queue after the mapping's retries.
 * Also here: the console's log bucket (ALB access logs and the archive bucket's server access
 * logs), SSE-S3 because neither ALB access logs nor S3 server access logs accept SSE-KMS.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecurityGroup, IVpc } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectLockRetention,
  ObjectOwnership,
  type IBucket,
} from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, renderForNag } from '../nag';
import { lambdaEntry, PlatformFunction } from './platform-function';

export interface ConsoleAuditArchiveProps {
  stage: string;
  prefix: string;
  auditTable: TableV2;
  /** Object Lock default retention (COMPLIANCE mode), days. */
  retentionDays: number;
  /** The console key (archive bucket). */
  consoleKey: IKey;
  /** The platform CMK (function environment, log group, on-failure queue). */
  platformKey: IKey;
  vpc: IVpc;
  securityGroup: ISecurityGroup;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/** Key prefix of the archive objects in a region. */
export const auditArchivePrefix = (region: string) => `audit/${region}/`;

export class ConsoleAuditArchive extends Construct {
  readonly logBucket: Bucket;
  readonly bucket: Bucket;
  readonly archiver: PlatformFunction;
  readonly failures: Queue;

  constructor(scope: Construct, id: string, props: ConsoleAuditArchiveProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    this.logBucket = new Bucket(this, 'Logs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeLogBucket(this.logBucket);

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.consoleKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(props.retentionDays)),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'audit-archive-access/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const pack of ['NIST.800.53.R5', 'PCI.DSS.321'])
      acknowledge(
        this.bucket,
        `${pack}-S3BucketReplicationEnabled`,
        'The locked audit copy is per region by design (each region’s console writes its own table and bucket); Object Lock COMPLIANCE plus versioning protect it against deletion, and the table itself has PITR.',
      );

    this.failures = new Queue(this, 'Failures', {
      queueName: `${props.prefix}-console-audit-archiver-dlq`,
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.platformKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    acknowledge(
      this.failures,
      'Serverless-SQSRedrivePolicy',
      'This queue IS the dead-letter / on-failure queue of the audit archiver; it has no further DLQ.',
    );

    this.archiver = new PlatformFunction(this, 'Archiver', {
      functionName: `${props.prefix}-console-audit-archiver`,
      description: 'Copies each console audit entry to the Object Lock (COMPLIANCE) bucket',
      entry: lambdaEntry('audit-archiver.ts'),
      memorySize: 256,
      timeout: Duration.seconds(30),
      reservedConcurrency: 5,
      environment: {
        STAGE: props.stage,
        AUDIT_ARCHIVE_BUCKET: this.bucket.bucketName,
        AUDIT_ARCHIVE_PREFIX: auditArchivePrefix(region),
      },
      statements: [],
      deadLetterQueue: this.failures,
      key: props.platformKey,
      vpc: props.vpc,
      securityGroup: props.securityGroup,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    grantArchiveWrite(this.bucket, props.consoleKey, this.archiver, auditArchivePrefix(region));
    this.archiver.fn.addEventSource(
      new DynamoEventSource(props.auditTable, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        retryAttempts: 10,
        reportBatchItemFailures: true,
        parallelizationFactor: 1,
        onFailure: new SqsDlq(this.failures),
      }),
    );
    for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*'])
      acknowledge(
        this.archiver.role,
        `AwsSolutions-IAM5[Action::${action}]`,
        "CDK's grant for sending to the CMK-encrypted on-failure queue (SQS asks for a data key per message); on the platform key only, which its key policy lets account principals use only through SQS, DynamoDB and the other platform services.",
      );
    acknowledge(
      this.archiver.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Lambda VPC ENI actions (ec2:*NetworkInterface*), X-Ray PutTraceSegments/PutTelemetryRecords and dynamodb:ListStreams have no resource-level permissions.',
    );
  }
}

/** PutObject under the prefix only (no read, no delete, no retention or legal-hold change), the key through S3 only. */
function grantArchiveWrite(bucket: IBucket, key: IKey, fn: PlatformFunction, keyPrefix: string): void {
  const objects = bucket.arnForObjects(`${keyPrefix}*`);
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({ sid: 'PutAuditEntries', actions: ['s3:PutObject'], resources: [objects] }),
  );
  fn.role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'ArchiveKeyViaS3',
      actions: ['kms:GenerateDataKey'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(fn).region}.amazonaws.com` } },
    }),
  );
  acknowledge(
    fn.role,
    `AwsSolutions-IAM5[Resource::${renderForNag(fn.role, objects)}]`,
    'One object per audit entry, named by its table key at run time: the wildcard is limited to the archive prefix of this region, for s3:PutObject only (Object Lock forbids overwriting a locked version anyway).',
  );
}

function acknowledgeLogBucket(bucket: Bucket): void {
  const sse =
    'Log target bucket: ELB access logs and S3 server access logs are delivered only to buckets with SSE-S3 default encryption (SSE-KMS is not supported for either); it holds logs only, no platform data.';
  acknowledge(bucket, 'NIST.800.53.R5-S3DefaultEncryptionKMS', sse);
  acknowledge(bucket, 'PCI.DSS.321-S3DefaultEncryptionKMS', sse);
  const noReplica =
    'Access logs of one region’s console are kept in that region (400 days); they are diagnostic copies, the audit record itself is the Object Lock bucket and the PITR-protected table.';
  acknowledge(bucket, 'NIST.800.53.R5-S3BucketReplicationEnabled', noReplica);
  acknowledge(bucket, 'PCI.DSS.321-S3BucketReplicationEnabled', noReplica);
}
