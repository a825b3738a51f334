/**
 * What each console permission may do on AWS: every permission of the console's permission matrix
 * (server/auth/permissions.schema.ts) maps to the IAM statements it needs (`permissionGrants`,
 * exhaustive by type), scoped to this stage's ARNs in every region of the stage, including the KMS
 * use a redrive (SQS via the CMK) and a replay (archive on the CMK) need. The operator roles
 * (operator-roles.ts) get `statementsFor` their role.
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FAILURE_INDEX_GSI } from '../../platform/layout';
import { permissionMatrix, type Role as ConsoleRole, type Permission } from '../../platform/roles';

/** The ARNs of one stage's platform, across all its regions. */
export interface PlatformArns {
  regions: string[];
  sourceQueueArns: string[];
  dlqArns: string[];
  busArns: string[];
  archiveArns: string[];
  /** `arn:...:events:<region>:<acct>:replay/<prefix>-*` per region. */
  replayArnPatterns: string[];
  stateMachineArns: string[];
  /** `arn:...:states:<region>:<acct>:execution:<name>:*` per region. */
  executionArnPatterns: string[];
  /** `arn:...:cloudwatch:<region>:<acct>:alarm:<prefix>-*` per region. */
  alarmArnPatterns: string[];
  /** Saga-state table ARNs (every replica) and their index ARNs. */
  sagaTableArns: string[];
  auditTableArns: string[];
  /** Ledger table ARNs (every replica): the ledger summary scans it. */
  ledgerTableArns: string[];
  /** Idempotency table ARNs (every replica): replay previews check which events were applied. */
  idempotencyTableArns: string[];
  /** Archive index table ARNs (every replica): replay previews query it. */
  archiveIndexTableArns: string[];
  /**
   * Failure index table ARNs (every region): triage reads it, redrives and quarantine delete from
   * it. Absent: derived from the archive index ARNs (same stage prefix, infra/platform/layout.ts).
   */
  failureIndexTableArns?: string[];
  /** The global endpoint (empty: the stage has none). */
  endpointArns: string[];
  /** The stage key in each region (key ARN or `key/*` narrowed by kmsAliasName). */
  keyArns: string[];
  kmsAliasName: string;
}

const kms = (r: PlatformArns, actions: string[], services: string[]): PolicyStatement =>
  new PolicyStatement({
    actions,
    resources: r.keyArns,
    conditions: {
      StringEquals: {
        'kms:ViaService': r.regions.flatMap((region) => services.map((s) => `${s}.${region}.amazonaws.com`)),
      },
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': r.kmsAliasName },
    },
  });
/** The table ARNs and the ARNs of their named indexes (no index wildcard). */
const withIndexes = (arns: string[], indexes: readonly string[]) =>
  arns.flatMap((a) => [a, ...indexes.map((i) => `${a}/index/${i}`)]);
/** Index names of the tables (constructs/state.ts). */
export const tableIndexes = { saga: ['byStatus'], audit: ['gsi1'] } as const;

/** Index names of the failure index (infra/platform/layout.ts). */
const failureIndexes = [FAILURE_INDEX_GSI.byClass, FAILURE_INDEX_GSI.byTransaction] as const;
/** The failure index tables: given, or named like the archive index tables (`<prefix>-failure-index`). */
const failureIndexArns = (r: PlatformArns) =>
  r.failureIndexTableArns ?? r.archiveIndexTableArns.map((a) => a.replace(/-archive-index$/, '-failure-index'));
/** Removing index entries of dead letters that left the DLQ (redriven by id or class, quarantined). */
const failureIndexWrites = (r: PlatformArns, sid: string): PolicyStatement[] => [
  new PolicyStatement({
    sid,
    actions: ['dynamodb:Query', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
    resources: withIndexes(failureIndexArns(r), failureIndexes),
  }),
  kms(r, ['kms:Decrypt', 'kms:GenerateDataKey'], ['dynamodb']),
];

/** Permission -> IAM statements. A new permission in the matrix fails compilation here. */
export const permissionGrants: Record<Permission, (r: PlatformArns) => PolicyStatement[]> = {
  'platform.read': (r) => [
    new PolicyStatement({
      sid: 'ReadAlarms',
      actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmHistory'],
      resources: r.alarmArnPatterns,
    }),
    new PolicyStatement({
      sid: 'ReadMetricsAndLists',
      // No resource-level permissions exist for these read/list APIs.
      actions: ['cloudwatch:GetMetricData', 'events:ListArchives', 'events:ListReplays', 'sqs:ListQueues'],
      resources: ['*'],
    }),
    new PolicyStatement({
      sid: 'ReadQueues',
      actions: ['sqs:GetQueueAttributes', 'sqs:ListMessageMoveTasks'],
      resources: [...r.sourceQueueArns, ...r.dlqArns],
    }),
    // Peek at dead letters: ReceiveMessage, then make them visible again at once.
    new PolicyStatement({
      sid: 'PeekDeadLetters',
      actions: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility'],
      resources: r.dlqArns,
    }),
    new PolicyStatement({
      sid: 'ReadArchivesAndReplays',
      actions: ['events:DescribeArchive', 'events:DescribeReplay', 'events:DescribeEventBus'],
      resources: [...r.archiveArns, ...r.replayArnPatterns, ...r.busArns],
    }),
    new PolicyStatement({
      sid: 'ReadSagaExecutions',
      actions: ['states:ListExecutions', 'states:DescribeStateMachine'],
      resources: r.stateMachineArns,
    }),
    new PolicyStatement({
      sid: 'ReadSagaExecutionDetails',
      actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
      resources: r.executionArnPatterns,
    }),
    new PolicyStatement({
      sid: 'ReadSagaState',
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
      resources: withIndexes(r.sagaTableArns, tableIndexes.saga),
    }),
    // Dead-letter triage: class counts and search by transaction id from the failure index.
    new PolicyStatement({
      sid: 'ReadFailureIndex',
      actions: ['dynamodb:Query'],
      resources: withIndexes(failureIndexArns(r), failureIndexes),
    }),
    // The ledger summary: one Scan of accounts and open holds, then the expected-total item.
    new PolicyStatement({
      sid: 'ReadLedger',
      actions: ['dynamodb:Scan', 'dynamodb:GetItem'],
      resources: r.ledgerTableArns,
    }),
    ...(r.endpointArns.length
      ? [
          new PolicyStatement({
            sid: 'ReadGlobalEndpoint',
            actions: ['events:DescribeEndpoint'],
            resources: r.endpointArns,
          }),
        ]
      : []),
    kms(r, ['kms:Decrypt'], ['sqs', 'dynamodb', 'states']),
  ],
  'audit.read': (r) => [
    new PolicyStatement({
      sid: 'ReadAudit',
      actions: ['dynamodb:GetItem', 'dynamodb:Query'],
      resources: withIndexes(r.auditTableArns, tableIndexes.audit),
    }),
    kms(r, ['kms:Decrypt'], ['dynamodb']),
  ],
  'queue.redrive': (r) => [
    // StartMessageMoveTask acts with the caller's permissions on both queues.
    new PolicyStatement({
      sid: 'RedriveFromDlq',
      actions: [
        'sqs:StartMessageMoveTask',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
      ],
      resources: r.dlqArns,
    }),
    new PolicyStatement({
      sid: 'RedriveToSource',
      actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
      resources: r.sourceQueueArns,
    }),
    // The DLQ's messages are decrypted and re-encrypted for the source queue with the CMK.
    kms(r, ['kms:Decrypt', 'kms:GenerateDataKey'], ['sqs']),
    ...failureIndexWrites(r, 'RedriveFailureIndex'),
  ],
  'queue.quarantine': (r) => [
    // Exactly the exported messages: received, deleted by receipt handle, the others given back.
    new PolicyStatement({
      sid: 'QuarantineDeadLetters',
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
      resources: r.dlqArns,
    }),
    // The same statement as the redrive's (one statement per role after deduplication).
    kms(r, ['kms:Decrypt', 'kms:GenerateDataKey'], ['sqs']),
    ...failureIndexWrites(r, 'QuarantineFailureIndex'),
  ],
  'queue.redrive.cancel': (r) => [
    new PolicyStatement({ sid: 'CancelRedrive', actions: ['sqs:CancelMessageMoveTask'], resources: r.dlqArns }),
  ],
  'archive.replay': (r) => [
    new PolicyStatement({
      sid: 'StartReplay',
      actions: ['events:StartReplay', 'events:DescribeReplay'],
      resources: [...r.archiveArns, ...r.busArns, ...r.replayArnPatterns],
    }),
    // The preview: archived events from the archive index, applied ones from the idempotency records.
    new PolicyStatement({ sid: 'PreviewReplayIndex', actions: ['dynamodb:Query'], resources: r.archiveIndexTableArns }),
    new PolicyStatement({
      sid: 'PreviewReplayApplied',
      actions: ['dynamodb:BatchGetItem'],
      resources: r.idempotencyTableArns,
    }),
    // The archive and the bus are encrypted with the CMK.
    kms(r, ['kms:Decrypt', 'kms:GenerateDataKey'], ['events']),
    // Both tables are encrypted with the CMK.
    kms(r, ['kms:Decrypt'], ['dynamodb']),
  ],
  'archive.replay.cancel': (r) => [
    new PolicyStatement({ sid: 'CancelReplay', actions: ['events:CancelReplay'], resources: r.replayArnPatterns }),
  ],
  'saga.compensate': (r) => [
    new PolicyStatement({
      sid: 'StartCompensation',
      actions: ['states:StartExecution'],
      resources: r.stateMachineArns,
    }),
    new PolicyStatement({
      sid: 'StopOrRedriveSaga',
      actions: ['states:StopExecution', 'states:RedriveExecution'],
      resources: r.executionArnPatterns,
    }),
    // grantStartExecution does not grant the CMK use a CMK-encrypted state machine needs.
    kms(r, ['kms:Decrypt', 'kms:GenerateDataKey'], ['states']),
  ],
  'approval.decide': (r) => [
    new PolicyStatement({
      sid: 'DecideApproval',
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      resources: r.auditTableArns,
    }),
    kms(r, ['kms:Decrypt', 'kms:GenerateDataKey'], ['dynamodb']),
  ],
  'audit.export': (r) => [
    new PolicyStatement({
      sid: 'ExportAudit',
      actions: ['dynamodb:Query', 'dynamodb:Scan'],
      resources: withIndexes(r.auditTableArns, tableIndexes.audit),
    }),
    kms(r, ['kms:Decrypt'], ['dynamodb']),
  ],
  // The embedded platform's fault API (infra/platform/roles.ts): no AWS counterpart, no grant.
  'platform.admin': () => [],
};

/** The statements of a console role: its permissions' statements, deduplicated by content. */
export function statementsFor(role: ConsoleRole, arns: PlatformArns): PolicyStatement[] {
  const seen = new Map<string, PolicyStatement>();
  for (const p of permissionMatrix[role]) {
    for (const s of permissionGrants[p](arns)) {
      const key = JSON.stringify(s.toStatementJson());
      if (!seen.has(key)) seen.set(key, s);
    }
  }
  // Sids must be unique inside one policy: number the repeated ones.
  const used = new Map<string, number>();
  return [...seen.values()].map((s) => {
    const json = s.toStatementJson() as { Sid?: string };
    const sid = json.Sid ?? 'Kms';
    const n = (used.get(sid) ?? 0) + 1;
    used.set(sid, n);
    return s.copy({ sid: n === 1 ? sid : `${sid}${n}` });
  });
}
