/**
 * The console's own state on AWS: the audit and state tables of infra/platform/console.ts (one
 * pair per stage and region, shared by every console task of that region), on the platform CMK,
 * with PITR (35 days), deletion protection and RETAIN in every stage: they hold the audit trail
 * and the four-eyes decisions. The audit table streams NEW_IMAGE to the archiver (Object Lock
 * copy); the state table expires approvals, request keys and claims through TTL.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { consoleTableKeys } from '../../platform/console';

export interface ConsoleTablesProps {
  auditTableName: string;
  stateTableName: string;
  key: IKey;
}

const str = (name: string) => ({ name, type: AttributeType.STRING });

export class ConsoleTables extends Construct {
  readonly audit: TableV2;
  readonly state: TableV2;

  constructor(scope: Construct, id: string, props: ConsoleTablesProps) {
    super(scope, id);
    const common = {
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.customerManagedKey(props.key),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    const a = consoleTableKeys.audit;
    this.audit = new TableV2(this, 'Audit', {
      ...common,
      tableName: props.auditTableName,
      partitionKey: str(a.partitionKey),
      sortKey: str(a.sortKey),
      dynamoStream: StreamViewType.NEW_IMAGE,
      globalSecondaryIndexes: [
        { indexName: a.byTime.indexName, partitionKey: str(a.byTime.partitionKey), sortKey: str(a.byTime.sortKey) },
      ],
    });
    const s = consoleTableKeys.state;
    this.state = new TableV2(this, 'State', {
      ...common,
      tableName: props.stateTableName,
      partitionKey: str(s.partitionKey),
      sortKey: str(s.sortKey),
      timeToLiveAttribute: s.ttlAttribute,
      globalSecondaryIndexes: [
        { indexName: s.gsi1.indexName, partitionKey: str(s.gsi1.partitionKey), sortKey: str(s.gsi1.sortKey) },
      ],
    });
  }
}
