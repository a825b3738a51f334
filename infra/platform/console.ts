/**
 * The console's deployment contract, read by both sides: the console stack (infra/lib) creates
 * these tables, bucket and environment; the console (server/db, server/env) reads them. Pure: no
 * AWS, no Node APIs.
 *
 * The console's own state on AWS lives in two DynamoDB tables per (stage, region), shared by every
 * console task behind the load balancer:
 *
 * AUDIT table (append-only; stream NEW_IMAGE -> the archiver copies each entry to the Object Lock
 * bucket). Per-writer hash chains merged on read: every console process appends to its own chain,
 * serialised in-process, each append ONE conditional put (attribute_not_exists(pk)), so several
 * tasks never contend for one chain head and no transaction is needed (dynalite and DynamoDB agree).
 *   pk = `chain#${writerId}`   sk = zero-padded sequence in that chain (AUDIT_SEQ_WIDTH digits)
 *   writer registry: pk = 'writers', sk = writerId (conditional put on the writer's first append)
 *   day markers: pk = 'days', sk = 'YYYY-MM-DD' (put once per day, conditional: which byTime days hold entries)
 *   GSI byTime: day (S, 'YYYY-MM-DD' UTC) + atKey (S, `${at ms, 15 digits}#${writerId}#${seq}`)
 *   no TTL: audit entries are never deleted by the table.
 *
 * STATE table (approvals, request keys, action claims, seen roles, redrive records): one
 * conditional write per decision (an approval is decided by one UpdateItem conditioned on status =
 * pending, requester <> decider and not expired), TTL on `ttl` (epoch seconds).
 *   pk (S), sk (S); GSI gsi1: gsi1pk (S), gsi1sk (S)
 *   redrive records (server/db/dynamo/redrive-store.ts): pk = `redrive#${id}`, sk = 'redrive';
 *   gsi1pk = `redrives#${queueId}`, gsi1sk = `${created ms, 15 digits}#${id}`; the moved
 *   transaction ids in chunks of 1,000 beside it (sk = `moved#${chunk, 4 digits}`); 30-day TTL.
 */
import { namesFor, type Stage } from './description';

export const AUDIT_SEQ_WIDTH = 12;

export const consoleTableKeys = {
  audit: {
    partitionKey: 'pk',
    sortKey: 'sk',
    byTime: { indexName: 'byTime', partitionKey: 'day', sortKey: 'atKey' },
  },
  state: {
    partitionKey: 'pk',
    sortKey: 'sk',
    gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    ttlAttribute: 'ttl',
  },
} as const;

/** Names of the console's AWS resources for a stage (tables are regional; the names repeat per region). */
export function consoleNamesFor(stage: Stage) {
  const prefix = namesFor(stage).prefix;
  return {
    /** CloudFormation stack of the console beside the platform stack `${prefix}-${region}`. */
    stackName: (region: string) => `${prefix}-console-${region}`,
    auditTable: `${prefix}-console-audit`,
    stateTable: `${prefix}-console-state`,
    /** ECS service / cluster / log group base name. */
    service: `${prefix}-console`,
    /** Cognito groups whose membership gives the console role (one per role). */
    groupPrefix: 'ledgerline-',
  } as const;
}

/**
 * Environment the console stack gives the container (server/env.schema.ts parses it). With
 * LEDGERLINE_BACKEND=aws the console's state goes to the two tables; the stack outputs of the
 * platform are read with cloudformation:DescribeStacks, granted to the task role on the platform
 * stacks of its stage only.
 */
export const ConsoleEnv = {
  backend: 'LEDGERLINE_BACKEND',
  stage: 'LEDGERLINE_STAGE',
  region: 'AWS_REGION',
  albArn: 'LEDGERLINE_ALB_ARN',
  /** From Secrets Manager (ECS secret), never a plain environment value in the task definition. */
  sessionSecret: 'LEDGERLINE_SESSION_SECRET',
  auditTable: 'LEDGERLINE_AUDIT_TABLE',
  stateTable: 'LEDGERLINE_STATE_TABLE',
  /** s3://bucket/prefix of the Object Lock copy of the audit log (shown on the audit page). */
  auditArchive: 'LEDGERLINE_AUDIT_ARCHIVE',
} as const;

/** The health check path of the container, the target group and the Dockerfile HEALTHCHECK. */
export const CONSOLE_HEALTH_PATH = '/api/health';
export const CONSOLE_PORT = 3000;
