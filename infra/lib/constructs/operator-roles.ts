/**
 * The console's operator roles (viewer, operator, approver, admin). Each operator role's policy is
 * generated from the console's permission matrix (operator-role-grants.ts: `statementsFor`). The
 * operator roles trust only the console's ECS task roles (one per stage region,
 * console-task-role.ts; named in an aws:PrincipalArn condition, as they deploy later and IAM
 * refuses a trust naming a role that does not exist yet), and only with a SourceIdentity (the
 * operator's id), so CloudTrail names the person. The console runs as those task roles (console
 * stack); there is no separate console runtime role.
 */
import { Duration } from 'aws-cdk-lib';
import { AccountRootPrincipal, PolicyStatement, PrincipalWithConditions } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { permissionMatrix, roles, type Role as ConsoleRole } from '../../platform/roles';
import { acknowledge, renderForNag } from '../nag';
import { consoleTaskRoleArn } from './console-task-role';
import { ManagedPolicyRole } from './managed-policy-role';
import { statementsFor, type PlatformArns } from './operator-role-grants';

export { permissionGrants, statementsFor, tableIndexes, type PlatformArns } from './operator-role-grants';

/** Why a wildcard resource of an operator role is as narrow as IAM allows. */
function wildcardReason(resource: string): string {
  if (resource === '*')
    return 'cloudwatch:GetMetricData, events:ListArchives, events:ListReplays and sqs:ListQueues have no resource-level permissions in IAM.';
  if (resource.includes(':alarm:'))
    return "Alarm names come from alarmsFor() under the stage prefix; the prefix wildcard matches exactly this stage's alarms in that region.";
  if (resource.includes(':replay/'))
    return 'Replay names are chosen per request by the console; the wildcard is limited to the stage prefix the console uses for replay names.';
  if (resource.includes(':execution:'))
    return "Execution names are transaction ids known only at run time; the wildcard is limited to executions of this stage's payment saga.";
  if (resource.includes(':key/*'))
    return "The stage key of the other region is created by that region's stack (id unknown here); narrowed by kms:ResourceAliases to the stage alias and by kms:ViaService.";
  throw new Error(`no acknowledgement reason for wildcard resource ${resource}: narrow it or add a reason`);
}

/** Acknowledges AwsSolutions-IAM5 once per wildcard resource the role's statements contain. */
function acknowledgeWildcards(role: ManagedPolicyRole, statements: PolicyStatement[]): void {
  const seen = new Set<string>();
  for (const s of statements) {
    for (const r of s.resources) {
      const rendered = renderForNag(role, r);
      if (!rendered.includes('*') || seen.has(rendered)) continue;
      seen.add(rendered);
      acknowledge(role, `AwsSolutions-IAM5[Resource::${rendered}]`, wildcardReason(rendered));
    }
  }
}

export interface OperatorRolesProps {
  /** Name prefix (`ledgerline-<stage>`). */
  prefix: string;
  arns: PlatformArns;
}

export class OperatorRoles extends Construct {
  readonly roles: Record<ConsoleRole, ManagedPolicyRole>;

  constructor(scope: Construct, id: string, props: OperatorRolesProps) {
    super(scope, id);
    // Trust: only the console task roles of this stage (one per region), only with a SourceIdentity.
    const consoleTaskRoles = props.arns.regions.map((region) => consoleTaskRoleArn(props.prefix, region));
    const requireSourceIdentity = { StringLike: { 'sts:SourceIdentity': '?*' } };
    const trustConditions = { ...requireSourceIdentity, ArnEquals: { 'aws:PrincipalArn': consoleTaskRoles } };
    const consoleTasks = new AccountRootPrincipal();

    const made = {} as Record<ConsoleRole, ManagedPolicyRole>;
    for (const role of roles) {
      const statements = statementsFor(role, props.arns);
      const r = new ManagedPolicyRole(this, `${role[0]!.toUpperCase()}${role.slice(1)}Role`, {
        roleName: `${props.prefix}-console-${role}`,
        description: `Ledgerline console ${role}: ${permissionMatrix[role].join(', ')}`,
        assumedBy: new PrincipalWithConditions(consoleTasks, trustConditions),
        maxSessionDuration: Duration.hours(1),
        statements,
      });
      r.assumeRolePolicy?.addStatements(
        new PolicyStatement({
          actions: ['sts:SetSourceIdentity'],
          principals: [consoleTasks],
          conditions: trustConditions,
        }),
      );
      acknowledgeWildcards(r, statements);
      made[role] = r;
    }
    this.roles = made;
  }
}
