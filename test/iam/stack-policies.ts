/**
 * The effective IAM policies of the synthesized stacks: each role's identity policies (inline,
 * AWS::IAM::Policy and customer managed policies attached to it) with every intrinsic resolved,
 * the stage key's key policy and alias, and the principal a recorded request runs as
 * (`operator-role:<role>`, `console-task`, `lambda:<function suffix>`) found by name.
 */
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { CfnResolver, type CfnTemplate, type CfnTemplateWithOutputs } from './cfn-resolver';

export interface NamedPolicy {
  name: string;
  policy: unknown;
}

export interface StackView {
  stackName: string;
  region: string;
  resolver: CfnResolver;
  template: CfnTemplate;
}

export interface ResolvedRole {
  stack: StackView;
  logicalId: string;
  arn: string;
  policies: NamedPolicy[];
  /** AWS managed policies attached by ARN (their content is not in the template). */
  awsManaged: string[];
  trust: unknown;
}

export function stackViews(assembly: CloudAssembly, account: string): StackView[] {
  const views: StackView[] = [];
  const byName = new Map<string, StackView>();
  const templateOf = (v: StackView) => v.template as CfnTemplateWithOutputs;
  const stackOutput = (stackName: string, output: string) => {
    const v = byName.get(stackName);
    const value = v ? templateOf(v).Outputs?.[output]?.Value : undefined;
    return v && value !== undefined ? v.resolver.str(value) : undefined;
  };
  const exported = (name: string) => {
    for (const v of views)
      for (const o of Object.values(templateOf(v).Outputs ?? {}))
        if (o.Export && v.resolver.str(o.Export.Name) === name) return v.resolver.str(o.Value);
    return undefined;
  };
  for (const s of assembly.stacks) {
    const template = s.template as CfnTemplate;
    const region = s.environment.region;
    const view: StackView = {
      stackName: s.stackName,
      region,
      template,
      resolver: new CfnResolver(template, { account, region, stackName: s.stackName, stackOutput, exported }),
    };
    views.push(view);
    byName.set(s.stackName, view);
  }
  return views;
}

const refersTo = (list: unknown, id: string) =>
  Array.isArray(list) && list.some((x) => (x as { Ref?: string } | null)?.Ref === id);

/** The role `logicalId` of `stack` with its resolved identity policies. */
export function resolveRole(stack: StackView, logicalId: string): ResolvedRole {
  const { template, resolver } = stack;
  const role = template.Resources[logicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${stack.stackName}: ${logicalId} is not a role`);
  const props = role.Properties ?? {};
  const policies: NamedPolicy[] = [];
  for (const p of (props.Policies ?? []) as { PolicyName: unknown; PolicyDocument: unknown }[])
    policies.push({ name: resolver.str(p.PolicyName), policy: resolver.resolve(p.PolicyDocument) });
  const attachedManaged = new Set<string>();
  for (const [id, r] of Object.entries(template.Resources)) {
    const rp = r.Properties ?? {};
    if (r.Type === 'AWS::IAM::Policy' && refersTo(rp.Roles, logicalId))
      policies.push({ name: id, policy: resolver.resolve(rp.PolicyDocument) });
    if (r.Type === 'AWS::IAM::ManagedPolicy' && refersTo(rp.Roles, logicalId)) {
      attachedManaged.add(id);
      policies.push({ name: id, policy: resolver.resolve(rp.PolicyDocument) });
    }
  }
  const awsManaged: string[] = [];
  for (const arn of (props.ManagedPolicyArns ?? []) as unknown[]) {
    const ref = (arn as { Ref?: string } | null)?.Ref;
    const target = ref ? template.Resources[ref] : undefined;
    if (ref && target?.Type === 'AWS::IAM::ManagedPolicy') {
      if (!attachedManaged.has(ref))
        policies.push({ name: ref, policy: resolver.resolve(target.Properties?.PolicyDocument) });
    } else awsManaged.push(resolver.str(arn));
  }
  return {
    stack,
    logicalId,
    arn: resolver.str({ 'Fn::GetAtt': [logicalId, 'Arn'] }),
    policies,
    awsManaged,
    trust: resolver.resolve(props.AssumeRolePolicyDocument),
  };
}

/** The role named `roleName` in any of the stacks (null if none). */
export function roleByName(stacks: StackView[], roleName: string): ResolvedRole | null {
  for (const s of stacks) {
    for (const [id, r] of Object.entries(s.template.Resources)) {
      if (r.Type === 'AWS::IAM::Role' && s.resolver.nameOf(id) === roleName) return resolveRole(s, id);
    }
  }
  return null;
}

/** The execution role of the Lambda function named `functionName` in `stack`. */
export function lambdaRole(stack: StackView, functionName: string): ResolvedRole | null {
  for (const [id, r] of Object.entries(stack.template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function' || stack.resolver.nameOf(id) !== functionName) continue;
    const role = r.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const roleId = role?.['Fn::GetAtt']?.[0];
    return roleId ? resolveRole(stack, roleId) : null;
  }
  return null;
}

export interface StageKey {
  arn: string;
  aliases: string[];
  policy: unknown;
}

/** The stack's KMS key (the stage key: one per platform stack) with its aliases and key policy. */
export function stageKey(stack: StackView): StageKey | null {
  const entries = Object.entries(stack.template.Resources);
  const key = entries.find(([, r]) => r.Type === 'AWS::KMS::Key');
  if (!key) return null;
  const [keyId, keyRes] = key;
  const aliases = entries
    .filter(([, r]) => r.Type === 'AWS::KMS::Alias')
    .filter(([, r]) => stack.resolver.str(r.Properties?.TargetKeyId).endsWith(keyId))
    .map(([, r]) => stack.resolver.str(r.Properties?.AliasName));
  return {
    arn: stack.resolver.str({ 'Fn::GetAtt': [keyId, 'Arn'] }),
    aliases,
    policy: stack.resolver.resolve(keyRes.Properties?.KeyPolicy),
  };
}
