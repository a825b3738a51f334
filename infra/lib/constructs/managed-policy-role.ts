/**
 * An IAM role whose permissions live in customer-managed policies (AWS::IAM::ManagedPolicy)
 * instead of inline policies: PCI DSS 7.2.1 / NIST AC-6 reviews want policies that are
 * versioned, listed and attachable objects. Every grant CDK adds (`grant*`, `addToPolicy`)
 * lands in the role's own managed policy, created as a child of the role so acknowledgements
 * on the role cover it.
 */
import {
  ManagedPolicy,
  Role,
  type AddToPrincipalPolicyResult,
  type PolicyStatement,
  type RoleProps,
} from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

export interface ManagedPolicyRoleProps extends Omit<RoleProps, 'inlinePolicies'> {
  /** Statements of the role's own managed policy. */
  statements?: PolicyStatement[];
}

export class ManagedPolicyRole extends Role {
  private policy?: ManagedPolicy;

  constructor(scope: Construct, id: string, props: ManagedPolicyRoleProps) {
    const { statements, ...roleProps } = props;
    super(scope, id, roleProps);
    for (const s of statements ?? []) this.addToPrincipalPolicy(s);
  }

  override addToPrincipalPolicy(statement: PolicyStatement): AddToPrincipalPolicyResult {
    if (!this.policy) {
      this.policy = new ManagedPolicy(this, 'Policy', {
        description: `Permissions of ${this.node.path}`,
        roles: [this],
      });
    }
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}
