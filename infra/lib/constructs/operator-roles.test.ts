import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { permissionMatrix, permissions, roles, type Role } from '../../platform/roles';
import { OperatorRoles, permissionGrants, statementsFor, type PlatformArns } from './operator-roles';

const arns: PlatformArns = {
  regions: ['us-east-1'],
  sourceQueueArns: ['arn:aws:sqs:us-east-1:111122223333:ledgerline-staging-processing'],
  dlqArns: ['arn:aws:sqs:us-east-1:111122223333:ledgerline-staging-processing-dlq'],
  busArns: ['arn:aws:events:us-east-1:111122223333:event-bus/ledgerline-staging-bus'],
  archiveArns: ['arn:aws:events:us-east-1:111122223333:archive/ledgerline-staging-archive'],
  replayArnPatterns: ['arn:aws:events:us-east-1:111122223333:replay/ledgerline-staging-*'],
  stateMachineArns: ['arn:aws:states:us-east-1:111122223333:stateMachine:ledgerline-staging-payment-saga'],
  executionArnPatterns: ['arn:aws:states:us-east-1:111122223333:execution:ledgerline-staging-payment-saga:*'],
  alarmArnPatterns: ['arn:aws:cloudwatch:us-east-1:111122223333:alarm:ledgerline-staging-*'],
  sagaTableArns: ['arn:aws:dynamodb:us-east-1:111122223333:table/ledgerline-staging-saga-state'],
  auditTableArns: ['arn:aws:dynamodb:us-east-1:111122223333:table/ledgerline-staging-audit'],
  ledgerTableArns: ['arn:aws:dynamodb:us-east-1:111122223333:table/ledgerline-staging-ledger'],
  idempotencyTableArns: ['arn:aws:dynamodb:us-east-1:111122223333:table/ledgerline-staging-idempotency'],
  archiveIndexTableArns: ['arn:aws:dynamodb:us-east-1:111122223333:table/ledgerline-staging-archive-index'],
  endpointArns: ['arn:aws:events:us-east-1:111122223333:endpoint/ledgerline-staging-global'],
  keyArns: ['arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
  kmsAliasName: 'alias/ledgerline-staging',
};

type Statement = {
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
};
const json = (role: Role) => statementsFor(role, arns).map((s) => s.toStatementJson() as Statement);
const actionsOf = (ss: Statement[]) => new Set(ss.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
const grantActions = (p: (typeof permissions)[number]) =>
  actionsOf(permissionGrants[p](arns).map((s) => s.toStatementJson() as Statement));

describe('operator roles mirror the console permission matrix', () => {
  for (const role of roles) {
    it(`gives ${role} exactly the actions of its permissions`, () => {
      const have = actionsOf(json(role));
      const expected = new Set(permissionMatrix[role].flatMap((p) => [...grantActions(p)]));
      expect([...have].sort()).toEqual([...expected].sort());
      // Actions that only permissions outside the role grant must be absent.
      for (const p of permissions.filter((x) => !permissionMatrix[role].includes(x))) {
        for (const a of grantActions(p)) {
          const grantedElsewhere = permissionMatrix[role].some((q) => grantActions(q).has(a));
          if (!grantedElsewhere) expect(have.has(a), `${role} must not have ${a} (${p})`).toBe(false);
        }
      }
    });
  }

  it('lets only redrive-capable roles move DLQ messages, with the CMK through SQS', () => {
    expect(actionsOf(json('viewer')).has('sqs:StartMessageMoveTask')).toBe(false);
    expect(actionsOf(json('approver')).has('sqs:StartMessageMoveTask')).toBe(false);
    const op = json('operator');
    expect(actionsOf(op).has('sqs:StartMessageMoveTask')).toBe(true);
    const kmsForSqs = op.filter(
      (s) =>
        JSON.stringify(s.Action).includes('kms:GenerateDataKey') &&
        JSON.stringify(s.Condition).includes('sqs.us-east-1.amazonaws.com'),
    );
    expect(kmsForSqs).toHaveLength(1);
    expect(kmsForSqs[0]!.Condition!['ForAnyValue:StringEquals']).toEqual({
      'kms:ResourceAliases': 'alias/ledgerline-staging',
    });
  });

  it('lets a replay decrypt the archive only through EventBridge', () => {
    const op = json('operator');
    const kmsForEvents = op.filter((s) => JSON.stringify(s.Condition ?? {}).includes('events.us-east-1.amazonaws.com'));
    expect(kmsForEvents).toHaveLength(1);
    expect(actionsOf(kmsForEvents)).toEqual(new Set(['kms:Decrypt', 'kms:GenerateDataKey']));
    expect(actionsOf(json('approver')).has('events:StartReplay')).toBe(false);
  });

  it("scopes every statement to this platform's ARNs except the APIs without resource-level permissions", () => {
    for (const role of roles) {
      for (const s of json(role)) {
        const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
        for (const r of resources) {
          if (r === '*')
            expect(
              [...actionsOf([s])].every((a) =>
                ['cloudwatch:GetMetricData', 'events:ListArchives', 'events:ListReplays', 'sqs:ListQueues'].includes(a),
              ),
            ).toBe(true);
          else expect(r).toMatch(/ledgerline-staging|key\//);
        }
      }
    }
  });
});

/** What the console's aws adapter calls per permission (shared-notes/h5-aws-needs.md), on which resource. */
const adapterNeeds: Record<(typeof permissions)[number], [action: string, resource: string][]> = {
  'platform.read': [
    ['cloudwatch:DescribeAlarms', ':alarm:ledgerline-staging-*'],
    ['cloudwatch:DescribeAlarmHistory', ':alarm:ledgerline-staging-*'],
    ['cloudwatch:GetMetricData', '*'],
    ['sqs:GetQueueAttributes', 'ledgerline-staging-processing'],
    ['sqs:GetQueueAttributes', 'ledgerline-staging-processing-dlq'],
    ['sqs:ReceiveMessage', 'ledgerline-staging-processing-dlq'],
    ['sqs:ListMessageMoveTasks', 'ledgerline-staging-processing-dlq'],
    ['events:DescribeArchive', 'archive/ledgerline-staging-archive'],
    ['events:ListReplays', '*'],
    ['events:DescribeReplay', 'replay/ledgerline-staging-*'],
    ['events:DescribeEventBus', 'event-bus/ledgerline-staging-bus'],
    ['events:DescribeEndpoint', 'endpoint/ledgerline-staging-global'],
    ['states:ListExecutions', 'stateMachine:ledgerline-staging-payment-saga'],
    ['states:DescribeExecution', 'execution:ledgerline-staging-payment-saga:*'],
    ['states:GetExecutionHistory', 'execution:ledgerline-staging-payment-saga:*'],
    ['dynamodb:BatchGetItem', 'table/ledgerline-staging-saga-state'],
    ['dynamodb:Scan', 'table/ledgerline-staging-ledger'],
    ['dynamodb:GetItem', 'table/ledgerline-staging-ledger'],
    ['dynamodb:Query', 'table/ledgerline-staging-failure-index'],
    ['dynamodb:Query', 'table/ledgerline-staging-failure-index/index/byTransaction'],
    ['kms:Decrypt', 'key/'],
  ],
  'queue.redrive': [
    ['sqs:StartMessageMoveTask', 'ledgerline-staging-processing-dlq'],
    ['sqs:ReceiveMessage', 'ledgerline-staging-processing-dlq'],
    ['sqs:DeleteMessage', 'ledgerline-staging-processing-dlq'],
    ['sqs:ChangeMessageVisibility', 'ledgerline-staging-processing-dlq'],
    ['sqs:SendMessage', 'sqs:us-east-1:111122223333:ledgerline-staging-processing'],
    ['kms:GenerateDataKey', 'key/'],
    ['dynamodb:Query', 'table/ledgerline-staging-failure-index/index/byClass'],
    ['dynamodb:DeleteItem', 'table/ledgerline-staging-failure-index'],
    ['dynamodb:UpdateItem', 'table/ledgerline-staging-failure-index'],
  ],
  'queue.quarantine': [
    ['sqs:ReceiveMessage', 'ledgerline-staging-processing-dlq'],
    ['sqs:DeleteMessage', 'ledgerline-staging-processing-dlq'],
    ['sqs:ChangeMessageVisibility', 'ledgerline-staging-processing-dlq'],
    ['dynamodb:DeleteItem', 'table/ledgerline-staging-failure-index'],
    ['dynamodb:UpdateItem', 'table/ledgerline-staging-failure-index'],
    ['kms:Decrypt', 'key/'],
  ],
  'queue.redrive.cancel': [['sqs:CancelMessageMoveTask', 'ledgerline-staging-processing-dlq']],
  'archive.replay': [
    ['events:StartReplay', 'archive/ledgerline-staging-archive'],
    ['dynamodb:Query', 'table/ledgerline-staging-archive-index'],
    ['dynamodb:BatchGetItem', 'table/ledgerline-staging-idempotency'],
  ],
  'archive.replay.cancel': [['events:CancelReplay', 'replay/ledgerline-staging-*']],
  'saga.compensate': [
    ['states:StartExecution', 'stateMachine:ledgerline-staging-payment-saga'],
    ['states:RedriveExecution', 'execution:ledgerline-staging-payment-saga:*'],
    ['kms:GenerateDataKey', 'key/'],
  ],
  'approval.decide': [],
  'audit.read': [],
  'audit.export': [],
  'platform.admin': [],
};

describe('operator roles grant what the aws adapter calls', () => {
  for (const p of permissions) {
    if (adapterNeeds[p].length === 0) continue;
    it(`grants ${p} every call the adapter makes for it, on this platform's resources`, () => {
      const statements = permissionGrants[p](arns).map((s) => s.toStatementJson() as Statement);
      for (const [action, resource] of adapterNeeds[p]) {
        const ok = statements.some((s) => {
          const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
          const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
          return (
            actions.includes(action) &&
            resources.some((r) => (resource === '*' ? r === '*' : r.endsWith(resource) || r.includes(`${resource}`)))
          );
        });
        expect(ok, `${p}: ${action} on …${resource}`).toBe(true);
      }
    });
  }

  it("lets the compensation use the state machine's key only through Step Functions", () => {
    const kmsStatements = permissionGrants['saga.compensate'](arns)
      .map((s) => s.toStatementJson() as Statement)
      .filter((s) => JSON.stringify(s.Action).includes('kms:'));
    expect(kmsStatements).toHaveLength(1);
    expect(kmsStatements[0]!.Condition!.StringEquals).toEqual({ 'kms:ViaService': ['states.us-east-1.amazonaws.com'] });
  });
});

describe('operator roles trust', () => {
  it('admits only the console task role of each region of the stage, and only with a SourceIdentity', () => {
    process.env.CDK_VALIDATION = 'false'; // aws-cdk-lib's CloudFormation check runs once, in npm run synth
    const stack = new Stack(new App(), 'Trust', { env: { account: '111122223333', region: 'us-east-1' } });
    new OperatorRoles(stack, 'OperatorRoles', {
      prefix: 'ledgerline-production',
      arns: { ...arns, regions: ['us-east-1', 'eu-west-1'] },
    });
    type RoleResource = { Properties: { RoleName: string; AssumeRolePolicyDocument: { Statement: unknown[] } } };
    const resources = Template.fromStack(stack).findResources('AWS::IAM::Role') as Record<string, RoleResource>;
    const operatorRoles = Object.values(resources).filter((r) =>
      /-console-(viewer|operator|approver|admin)$/.test(String(r.Properties.RoleName)),
    );
    expect(operatorRoles).toHaveLength(4);
    const taskRole = (region: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':iam::',
          { Ref: 'AWS::AccountId' },
          `:role/ledgerline-production-console-task-${region}`,
        ],
      ],
    });
    for (const r of operatorRoles) {
      const trust = r.Properties.AssumeRolePolicyDocument.Statement as (Statement & { Principal: unknown })[];
      expect(trust.flatMap((s) => [s.Action].flat()).sort()).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity']);
      for (const s of trust) {
        expect(s.Principal).toEqual({
          AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] },
        });
        expect(s.Condition).toEqual({
          StringLike: { 'sts:SourceIdentity': '?*' },
          ArnEquals: { 'aws:PrincipalArn': [taskRole('us-east-1'), taskRole('eu-west-1')] },
        });
      }
    }
  });
});
