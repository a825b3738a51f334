import 'server-only';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { z } from 'zod';
import { namesFor, stages, type Stage } from '../../../infra/platform/description';
import { operatorRoleOutputKey, queuePairOutputKeys, StackOutputKeys } from '../../../infra/platform/outputs';
import { roles, type Role } from '../../auth/permissions.schema';
import { PlatformError } from '../port';

const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must look like us-east-1');
const arn = z.string().regex(/^arn:aws[a-z-]*:[a-z0-9-]+:/, 'must be an ARN');
const url = z.url({ protocol: /^https$/ });
const name = z.string().min(1);

export const awsQueuePairConfigSchema = z.object({
  id: z.string().min(1),
  sourceUrl: url,
  sourceArn: arn,
  dlqUrl: url,
  dlqArn: arn,
});
export type AwsQueuePairConfig = z.infer<typeof awsQueuePairConfigSchema>;

/** Everything the aws adapter needs to know about one deployed regional stack. */
export const awsPlatformConfigSchema = z.object({
  stage: z.enum(stages),
  /** Region of this stack: every client of the adapter talks to it. */
  region,
  primaryRegion: region,
  secondaryRegion: region.nullable(),
  queuePairs: z.array(awsQueuePairConfigSchema).min(1),
  bus: z.object({ name, arn }),
  archive: z.object({ name, arn }),
  /** Rule ARNs a replay is delivered to (StartReplay FilterArns). */
  replayRuleArns: z.array(arn).min(1),
  stateMachineArn: arn,
  sagaTable: name.nullable(),
  idempotencyTable: name,
  ledgerTable: name.nullable(),
  archiveIndexTable: name.nullable(),
  /** Optional output FailureIndexTableName (absent: the triage calls answer Unavailable). */
  failureIndexTable: name.nullable().optional(),
  globalEndpoint: z.object({ name, id: name.nullable() }).nullable(),
  /** The IAM role the console assumes for each console role. */
  operatorRoleArns: z.object(Object.fromEntries(roles.map((r) => [r, arn])) as Record<Role, typeof arn>),
});
export type AwsPlatformConfig = z.infer<typeof awsPlatformConfigSchema>;

/** The stack that holds the outputs for (stage, region). */
export function stackNameFor(stage: Stage, stackRegion: string): string {
  return `${namesFor(stage).prefix}-${stackRegion}`;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Builds the config from a stack's outputs. Throws a PlatformError('Unavailable') naming every
 * missing or malformed output key, so a half-deployed stack is diagnosed in one message.
 */
export function configFromOutputs(
  stage: Stage,
  stackRegion: string,
  outputs: Record<string, string>,
): AwsPlatformConfig {
  const k = StackOutputKeys;
  const opt = (key: string) => (outputs[key] ? outputs[key] : null);
  const queuePairIds = list(outputs[k.QueuePairIds]);
  const raw = {
    stage,
    region: stackRegion,
    primaryRegion: outputs[k.PrimaryRegion],
    secondaryRegion: opt(k.SecondaryRegion),
    queuePairs: queuePairIds.map((id) => {
      const keys = queuePairOutputKeys(id);
      return {
        id,
        sourceUrl: outputs[keys.sourceUrl],
        sourceArn: outputs[keys.sourceArn],
        dlqUrl: outputs[keys.dlqUrl],
        dlqArn: outputs[keys.dlqArn],
      };
    }),
    bus: { name: outputs[k.BusName], arn: outputs[k.BusArn] },
    archive: { name: outputs[k.ArchiveName], arn: outputs[k.ArchiveArn] },
    replayRuleArns: list(outputs[k.ReplayRuleArns]),
    stateMachineArn: outputs[k.StateMachineArn],
    sagaTable: opt(k.SagaTableName),
    idempotencyTable: outputs[k.IdempotencyTableName],
    ledgerTable: opt(k.LedgerTableName),
    archiveIndexTable: opt(k.ArchiveIndexTableName),
    // Optional and newer than the others: absent (not null) when the stack does not output it.
    ...(opt(k.FailureIndexTableName) ? { failureIndexTable: opt(k.FailureIndexTableName) } : {}),
    globalEndpoint: opt(k.GlobalEndpointName)
      ? { name: outputs[k.GlobalEndpointName], id: opt(k.GlobalEndpointId) }
      : null,
    operatorRoleArns: Object.fromEntries(roles.map((r) => [r, outputs[operatorRoleOutputKey(r)]])),
  };
  const parsed = awsPlatformConfigSchema.safeParse(raw, { reportInput: true });
  if (parsed.success) return parsed.data;
  // Name the output key behind each issue, not our internal field path.
  const keyOf = (path: PropertyKey[]): string => {
    const [head, second, third] = path.map(String);
    const simple: Record<string, string> = {
      primaryRegion: k.PrimaryRegion,
      secondaryRegion: k.SecondaryRegion,
      replayRuleArns: k.ReplayRuleArns,
      stateMachineArn: k.StateMachineArn,
      idempotencyTable: k.IdempotencyTableName,
      sagaTable: k.SagaTableName,
      ledgerTable: k.LedgerTableName,
      archiveIndexTable: k.ArchiveIndexTableName,
      failureIndexTable: k.FailureIndexTableName,
    };
    if (head && simple[head]) return simple[head];
    if (head === 'bus') return second === 'arn' ? k.BusArn : k.BusName;
    if (head === 'archive') return second === 'arn' ? k.ArchiveArn : k.ArchiveName;
    if (head === 'globalEndpoint') return second === 'id' ? k.GlobalEndpointId : k.GlobalEndpointName;
    if (head === 'operatorRoleArns' && second) return operatorRoleOutputKey(second as Role);
    if (head === 'queuePairs') {
      const id = queuePairIds[Number(second)];
      if (id === undefined) return k.QueuePairIds;
      const keys = queuePairOutputKeys(id);
      return keys[third as keyof typeof keys] ?? k.QueuePairIds;
    }
    return path.map(String).join('.');
  };
  const problems = parsed.error.issues.map((i) => `${keyOf(i.path)}: ${i.input === undefined ? 'missing' : i.message}`);
  throw new PlatformError(
    'Unavailable',
    `stack ${stackNameFor(stage, stackRegion)} outputs are incomplete: ${problems.join('; ')}`,
  );
}

/**
 * Reads the config of (stage, region) from the CloudFormation outputs of the stack
 * `${namesFor(stage).prefix}-${region}` with the console's own credentials (default provider chain).
 */
export async function loadAwsPlatformConfig(
  stage: Stage,
  stackRegion: string,
  deps: { cloudFormation?: CloudFormationClient } = {},
): Promise<AwsPlatformConfig> {
  const client = deps.cloudFormation ?? new CloudFormationClient({ region: stackRegion });
  const stackName = stackNameFor(stage, stackRegion);
  let stack;
  try {
    const res = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    stack = res.Stacks?.[0];
  } catch (error) {
    const e = error as { name?: string; message?: string };
    // CloudFormation answers a missing stack with ValidationError "Stack with id ... does not exist".
    if (e.name === 'ValidationError' && /does not exist/.test(e.message ?? '')) {
      throw new PlatformError('Unavailable', `stack ${stackName} does not exist in ${stackRegion}: deploy it first`);
    }
    throw new PlatformError(
      'Unavailable',
      `cannot read the outputs of stack ${stackName} in ${stackRegion}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`,
    );
  }
  if (!stack)
    throw new PlatformError('Unavailable', `stack ${stackName} does not exist in ${stackRegion}: deploy it first`);
  const outputs: Record<string, string> = {};
  for (const o of stack.Outputs ?? [])
    if (o.OutputKey && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
  return configFromOutputs(stage, stackRegion, outputs);
}
