/**
 * The console's ECS task role (one per console stack: IAM names are global, so the region is in
 * the name). It may only
 *  - assume the four operator roles with a SourceIdentity (the operator's id),
 *  - use the console's two tables (and the platform CMK through DynamoDB only),
 *  - read the outputs of its stage's platform stacks (cloudformation:DescribeStacks:
 *    server/platform/aws/config.ts reads them with the console's own credentials).
 * The operator roles (operator-roles.ts) trust exactly these task roles, by ARN.
 */
import { Aws, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { roles } from '../../platform/roles';
import { acknowledge, renderForNag } from '../nag';
import { ManagedPolicyRole } from './managed-policy-role';

/** Name of the console task role of a stage prefix in a region. */
export const consoleTaskRoleName = (prefix: string, region: string) => `${prefix}-console-task-${region}`;

/** ARN of that role (IAM is global: usable from any region's stack). */
export const consoleTaskRoleArn = (prefix: string, region: string) =>
  `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${consoleTaskRoleName(prefix, region)}`;

/** Name of an operator role (operator-roles.ts creates them in the stage's primary stack). */
export const operatorRoleName = (prefix: string, role: string) => `${prefix}-console-${role}`;

/** What the console's state adapter does with its tables (server/db, DynamoDB): no Scan, no table admin. */
export const consoleTableActions = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
] as const;

export interface ConsoleTaskRoleProps {
  prefix: string;
  /** Every region of the stage (the console reads the platform stack of each). */
  stageRegions: string[];
  /** The console's tables in this region (audit, state), each with the names of its indexes. */
  tables: { arn: string; indexes: readonly string[] }[];
  /** The platform CMK of this region (the tables' key). */
  key: IKey;
}

export class ConsoleTaskRole extends Construct {
  readonly role: ManagedPolicyRole;
  readonly statements: PolicyStatement[];

  constructor(scope: Construct, id: string, props: ConsoleTaskRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.statements = [
      new PolicyStatement({
        sid: 'AssumeOperatorRoles',
        actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        resources: roles.map(
          (r) => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${operatorRoleName(props.prefix, r)}`,
        ),
      }),
      new PolicyStatement({
        sid: 'ConsoleTables',
        actions: [...consoleTableActions],
        resources: props.tables.flatMap((t) => [t.arn, ...t.indexes.map((i) => `${t.arn}/index/${i}`)]),
      }),
      new PolicyStatement({
        sid: 'ConsoleTablesKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
      }),
      new PolicyStatement({
        sid: 'ReadPlatformStackOutputs',
        actions: ['cloudformation:DescribeStacks'],
        resources: props.stageRegions.map(
          (region) =>
            `arn:${Aws.PARTITION}:cloudformation:${region}:${Aws.ACCOUNT_ID}:stack/${props.prefix}-${region}/*`,
        ),
      }),
    ];
    this.role = new ManagedPolicyRole(this, 'Role', {
      roleName: consoleTaskRoleName(props.prefix, stack.region),
      description: 'Ledgerline console task: assumes an operator role per request, keeps the console state',
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:ecs:${stack.region}:${Aws.ACCOUNT_ID}:*` },
        },
      }),
      statements: this.statements,
    });
    const reasons: [RegExp, string][] = [
      [
        /:stack\//,
        "CloudFormation stack ARNs end in a stack id generated at creation; the name part is this stage's platform stack exactly, the trailing /* is the id.",
      ],
    ];
    const seen = new Set<string>();
    for (const s of this.statements) {
      for (const r of s.resources) {
        const rendered = renderForNag(this.role, r);
        if (!rendered.includes('*') || seen.has(rendered)) continue;
        seen.add(rendered);
        const reason = reasons.find(([re]) => re.test(rendered))?.[1];
        if (!reason) throw new Error(`console task role: no acknowledgement reason for wildcard ${rendered}`);
        acknowledge(this.role, `AwsSolutions-IAM5[Resource::${rendered}]`, reason);
      }
    }
  }
}
