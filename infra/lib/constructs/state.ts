/**
 * The platform's state: DynamoDB global tables (`TableV2` -> AWS::DynamoDB::GlobalTable),
 * on-demand, point-in-time recovery on, encrypted with the stage's CMK in the primary region
 * and the stage's CMK of each replica region (an alias ARN: the replica region's key is
 * created by that region's stack, which deploys first).
 *
 * Exactly-once across regions. Global tables replicate asynchronously with last-writer-wins,
 * so a conditional put (`attribute_not_exists(key)`) is only exactly-once inside ONE region:
 * two regions could both "win" the same transaction id before replication. Multi-region strong
 * consistency is not available for us-east-1 + eu-west-1 (MRSC needs three regions of one
 * region set). So the platform has a SINGLE WRITE REGION (`writeRegion`, default the primary):
 *  1. every replica outside the write region carries a resource policy that DENIES item writes
 *     to every principal except DynamoDB's replication service role, so a processor or saga
 *     step there cannot claim an idempotency key or move money, even by mistake;
 *  2. the processor's event source mappings outside the write region are created disabled
 *     (the stack's `writeRegion` decides), so events that fail over or are replicated to the
 *     secondary bus wait in its queue instead of being applied twice; that queue keeps them
 *     2 hours less than IDEMPOTENCY_TTL_HOURS (constructs/processing.ts), so on promotion
 *     every waiting transaction still meets its replicated idempotency record;
 *  3. promotion is a deploy with `-c writeRegion=eu-west-1` after the primary is drained and
 *     replication latency is 0: the deny moves to the old primary, the mappings flip.
 * The idempotency key is the business transaction id (not a message/event id), so replayed,
 * redriven and replicated copies of an event all hit the same record.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface StateTableNames {
  idempotency: string;
  saga: string;
  audit: string;
  ledger: string;
  /** Index of archived events (infra/platform/layout.ts): replay previews read it. */
  archiveIndex: string;
}

export interface StateProps {
  names: StateTableNames;
  key: IKey;
  /** Replica regions -> ARN (key or alias ARN) of the stage's CMK in that region. Empty: single region. */
  replicaKeyArns: Record<string, string>;
  /** The only region where items may be written (see the module comment). */
  writeRegion: string;
  /** Region of the stack (the table's primary replica). */
  region: string;
  removalPolicy: RemovalPolicy;
  deletionProtection: boolean;
}

/** Item-level write actions denied outside the write region. */
export const itemWriteActions = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
];

export function denyWritesPolicy(): PolicyDocument {
  return new PolicyDocument({
    statements: [
      new PolicyStatement({
        sid: 'SingleWriteRegion',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: itemWriteActions,
        resources: ['*'],
        conditions: {
          ArnNotLike: { 'aws:PrincipalArn': 'arn:*:iam::*:role/aws-service-role/replication.dynamodb.amazonaws.com/*' },
        },
      }),
    ],
  });
}

export class State extends Construct {
  readonly idempotency: TableV2;
  readonly saga: TableV2;
  readonly audit: TableV2;
  readonly ledger: TableV2;
  readonly archiveIndex: TableV2;

  constructor(scope: Construct, id: string, props: StateProps) {
    super(scope, id);
    const replicaRegions = Object.keys(props.replicaKeyArns);
    if (props.writeRegion !== props.region && !replicaRegions.includes(props.writeRegion)) {
      throw new Error(
        `writeRegion ${props.writeRegion} is neither the primary region ${props.region} nor a replica region (${replicaRegions.join(', ') || 'none'})`,
      );
    }
    const common = {
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.customerManagedKey(props.key, props.replicaKeyArns),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 },
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
      resourcePolicy: props.writeRegion === props.region ? undefined : denyWritesPolicy(),
      replicas: replicaRegions.map((region) => ({
        region,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 },
        deletionProtection: props.deletionProtection,
        resourcePolicy: region === props.writeRegion ? undefined : denyWritesPolicy(),
      })),
    };

    this.idempotency = new TableV2(this, 'Idempotency', {
      ...common,
      tableName: props.names.idempotency,
      partitionKey: { name: 'key', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiryTime',
    });
    this.saga = new TableV2(this, 'SagaState', {
      ...common,
      tableName: props.names.saga,
      partitionKey: { name: 'sagaId', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: 'byStatus',
          partitionKey: { name: 'status', type: AttributeType.STRING },
          sortKey: { name: 'updatedAt', type: AttributeType.NUMBER },
        },
      ],
    });
    this.audit = new TableV2(this, 'Audit', {
      ...common,
      tableName: props.names.audit,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: 'gsi1',
          partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
          sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
        },
      ],
    });
    this.ledger = new TableV2(this, 'Ledger', {
      ...common,
      tableName: props.names.ledger,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
    });
    // pk `${hour}#${shard}`, sk `${time}#${eventId}`; items expire with the archive's retention
    // (expiryTime = event time + ARCHIVE_RETENTION_DAYS), written by the archive indexer.
    this.archiveIndex = new TableV2(this, 'ArchiveIndex', {
      ...common,
      tableName: props.names.archiveIndex,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiryTime',
    });
  }
}
