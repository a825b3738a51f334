/**
 * Evaluates recorded AWS requests against the synthesized policies with @cloud-copilot/iam-simulate:
 * the principal's identity policies, and for a request on the stage key the key policy as the
 * resource policy (with kms:ViaService and kms:ResourceAliases in the context), and for
 * sts:AssumeRole the target role's trust policy (with aws:PrincipalArn and sts:SourceIdentity).
 */
import { runSimulation, type EvaluationResult } from '@cloud-copilot/iam-simulate';
import type { RecordedRequest } from './recording';
import { roleByName, type ResolvedRole, type StackView, type StageKey } from './stack-policies';

export type Outcome = EvaluationResult | 'NoPolicySource';

/** Stands for a literal `*` in a request's resource ARN (see evaluateRequest). */
const LITERAL_ASTERISK = '~';

export interface Evaluation {
  request: RecordedRequest;
  /** Where the principal's policies came from (`stack/logicalId`), or why there are none. */
  principal: string;
  resource: string;
  outcome: Outcome;
  detail: string;
}

export interface EvaluationTarget {
  role: ResolvedRole;
  /** The keys a request may name by placeholder (STAGE_KEY, CONSOLE_KEY). */
  keys: Record<string, StageKey | null>;
  /** Every stack (to find an AssumeRole target's trust policy). */
  stacks: StackView[];
}

/** One request against one principal. */
export async function evaluateRequest(request: RecordedRequest, target: EvaluationTarget): Promise<Evaluation> {
  const { role, keys } = target;
  const account = role.arn.split(':')[4] ?? '';
  const context: Record<string, string | string[]> = { ...request.context, 'aws:PrincipalArn': role.arn };
  let resource = request.resource;
  let resourcePolicy: unknown;
  if (resource in keys) {
    const key = keys[resource];
    if (!key) return fail(request, role, resource, 'the stack has no KMS key');
    resource = key.arn;
    resourcePolicy = key.policy;
    context['kms:ResourceAliases'] = key.aliases;
    context['kms:CallerAccount'] = account;
  }
  if (request.action === 'sts:AssumeRole' || request.action === 'sts:SetSourceIdentity') {
    const name = resource.split(':role/')[1] ?? '';
    const assumed = roleByName(target.stacks, name);
    if (assumed) resourcePolicy = assumed.trust;
    context['sts:SourceIdentity'] = 'operator-1';
  }
  if (request.action === 'unmapped') return fail(request, role, resource, `unmapped command: ${request.resource}`);
  // IAM matches a request's resource literally: `alarm:*` in a REQUEST is the string `*`, which a
  // grant on `alarm:ledgerline-staging-*` does not match. iam-simulate would read it as a pattern,
  // so it gets a character no name has (a grant on `alarm:*` still matches it).
  if (resource.startsWith('arn:') && resource.includes('*')) resource = resource.replaceAll('*', LITERAL_ASTERISK);
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${account}:assumed-role/${role.arn.split(':role/')[1] ?? ''}/session`,
        action: request.action,
        resource: { resource, accountId: account },
        contextVariables: context,
      },
      identityPolicies: role.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
    },
    {},
  );
  const principal = `${role.stack.stackName}/${role.logicalId}`;
  if (result.resultType === 'error')
    return {
      request,
      principal,
      resource,
      outcome: 'ImplicitlyDenied',
      detail: `simulation error: ${result.errors.message}`,
    };
  return { request, principal, resource, outcome: result.overallResult, detail: '' };
}

function fail(request: RecordedRequest, role: ResolvedRole, resource: string, detail: string): Evaluation {
  return {
    request,
    principal: `${role.stack.stackName}/${role.logicalId}`,
    resource,
    outcome: 'ImplicitlyDenied',
    detail,
  };
}

/** `denied: <action> on <resource> as <role> (<source>)` lines of the evaluations that are not Allowed. */
export function denials(evaluations: Evaluation[]): string[] {
  return evaluations
    .filter((e) => e.outcome !== 'Allowed')
    .map(
      (e) =>
        `${e.outcome}: ${e.request.action} on ${e.resource} as ${e.request.role} (${e.principal}) for ${e.request.command}${e.detail ? ` (${e.detail})` : ''}`,
    );
}
