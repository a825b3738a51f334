/**
 * Which synthesized role a recorded request runs as, and in which stack's world (stage, region):
 * - `operator-role:<role>`: the operator role `ledgerline-<stage>-console-<role>` (the console
 *   assumes it per caller);
 * - `console-task`: the console's ECS task role `ledgerline-<stage>-console-task-<region>` in the
 *   console stack beside the platform stack (consoleNamesFor(stage).stackName(region));
 * - `lambda:<suffix>`: the execution role of the function `ledgerline-<stage>-<suffix>`.
 * The stage and region come from the request's resource (fixtures use the account's one region).
 */
import { consoleNamesFor } from '../../infra/platform/console';
import { namesFor, stages, type Stage } from '../../infra/platform/description';
import { CONSOLE_KEY, STAGE_KEY } from './aws-requests';
import type { RecordedRequest } from './recording';
import { lambdaRole, roleByName, stageKey, type ResolvedRole, type StackView, type StageKey } from './stack-policies';

export interface Where {
  stage: Stage;
  region: string;
}

/** The stage and region a request addresses (`ledgerline-<stage>-` in its resource; region from the ARN). */
export function whereOf(r: RecordedRequest, fallback: Where): Where {
  const text = `${r.resource} ${JSON.stringify(r.context ?? {})}`;
  const stage = stages.find((s) => s !== 'local' && text.includes(`${namesFor(s).prefix}-`)) ?? fallback.stage;
  let region = r.resource === STAGE_KEY || r.resource === CONSOLE_KEY ? undefined : r.resource.split(':')[3];
  const via = r.context?.['kms:ViaService'];
  if (!region && typeof via === 'string') region = via.split('.')[1];
  const requested = r.context?.['aws:RequestedRegion'];
  if (!region && typeof requested === 'string') region = requested;
  return { stage, region: region || fallback.region };
}

export interface Principal {
  role: ResolvedRole | null;
  /** The keys a request can name (STAGE_KEY: the platform stack's; CONSOLE_KEY: the console stack's). */
  keys: Record<string, StageKey | null>;
  /** Why there is no role (the stack or role is not synthesized). */
  missing: string;
}

export function principalOf(stacks: StackView[], r: RecordedRequest, where: Where): Principal {
  const prefix = namesFor(where.stage).prefix;
  const platform = stacks.find((s) => s.stackName === `${prefix}-${where.region}`);
  const consoleStackName = consoleNamesFor(where.stage).stackName(where.region);
  const consoleStack = stacks.filter((s) => s.stackName === consoleStackName);
  const keys = {
    [STAGE_KEY]: platform ? stageKey(platform) : null,
    [CONSOLE_KEY]: consoleStack[0] ? stageKey(consoleStack[0]) : null,
  };
  const [kind, name = ''] = r.role.split(':');
  if (kind === 'operator-role') {
    const roleName = `${prefix}-console-${name}`;
    return { role: roleByName(stacks, roleName), keys, missing: `no role ${roleName}` };
  }
  if (kind === 'console-task') {
    const roleName = `${prefix}-console-task-${where.region}`;
    return {
      role: roleByName(consoleStack, roleName),
      keys,
      missing: consoleStack.length
        ? `no role ${roleName} in ${consoleStackName}`
        : `no console stack ${consoleStackName}`,
    };
  }
  if (kind === 'lambda') {
    const functionName = `${prefix}-${name}`;
    const role = platform ? lambdaRole(platform, functionName) : null;
    return {
      role: role ?? (consoleStack[0] ? lambdaRole(consoleStack[0], functionName) : null),
      keys,
      missing: `no function ${functionName} in ${prefix}-${where.region}`,
    };
  }
  return { role: null, keys, missing: `unknown principal ${r.role}` };
}
