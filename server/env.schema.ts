/**
 * The console's configuration schema. Pure (no process access) so it can be unit-tested;
 * server/env.ts parses process.env with it exactly once.
 */
import { z } from 'zod';
import { stages } from '../infra/platform/description';

/** arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>; group 1 = region. */
export const ALB_ARN =
  /^arn:aws:elasticloadbalancing:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:loadbalancer\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;

/** A DynamoDB table name: 3-255 of [A-Za-z0-9_.-]. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const envSchema = z.object({
  /** Which adapter the console uses: the embedded platform (default) or a deployed AWS stack. */
  LEDGERLINE_BACKEND: z
    .enum(['local', 'aws'], {
      error: (issue) => `LEDGERLINE_BACKEND must be "local" or "aws" (got ${JSON.stringify(issue.input)})`,
    })
    .default('local'),
  /** Where the embedded platform keeps its SQLite database. */
  LEDGERLINE_DATA_DIR: z.string().min(1).default('.data'),
  /** The stage the console shows and operates on; production is shown in red everywhere. */
  LEDGERLINE_STAGE: z.enum(stages).default('local'),
  /** HTTP port of the console. */
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  /** Primary AWS region (aws backend) or the region the embedded platform pretends to be. */
  AWS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'AWS_REGION must look like us-east-1')
    .default('us-east-1'),
  /** Secret that signs session cookies; required (≥ 32 chars) with the aws backend. */
  LEDGERLINE_SESSION_SECRET: z.string().min(32, 'LEDGERLINE_SESSION_SECRET must be at least 32 characters').optional(),
  /**
   * The Application Load Balancer that authenticates users (aws backend, required there): the
   * only signer whose OIDC tokens (x-amzn-oidc-data) the console accepts.
   */
  LEDGERLINE_ALB_ARN: z
    .string()
    .regex(
      ALB_ARN,
      'LEDGERLINE_ALB_ARN must be an ALB ARN like arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/<name>/<16 hex id>',
    )
    .optional(),
  /**
   * The console's own state with the aws backend (required there): the DynamoDB audit table
   * (per-writer hash chains) and state table (approvals, request keys, claims, seen roles) of
   * infra/platform/console.ts, shared by every console task.
   */
  LEDGERLINE_AUDIT_TABLE: z
    .string()
    .regex(TABLE_NAME, 'LEDGERLINE_AUDIT_TABLE must be a DynamoDB table name')
    .optional(),
  LEDGERLINE_STATE_TABLE: z
    .string()
    .regex(TABLE_NAME, 'LEDGERLINE_STATE_TABLE must be a DynamoDB table name')
    .optional(),
  /** Where the Object Lock copy of the audit log is (s3://bucket/prefix); shown on the audit page. */
  LEDGERLINE_AUDIT_ARCHIVE: z
    .string()
    .regex(
      /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/\S*)?$/,
      'LEDGERLINE_AUDIT_ARCHIVE must look like s3://bucket/prefix',
    )
    .optional(),
  /** Synthetic traffic of the embedded platform, in events per second (0 = off). */
  LEDGERLINE_TRAFFIC_RATE: z.coerce.number().min(0).max(100_000).default(5),
  /** Allow the local-only admin API (fault injection). Always off with the aws backend. */
  LEDGERLINE_ADMIN_API: bool.default(true),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(
    readonly variables: string[],
    message: string,
  ) {
    super(message);
    this.name = 'EnvError';
  }
}

/** Parses an environment; throws an EnvError whose message names each invalid variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const variables = result.error.issues.map((i) => String(i.path[0]));
    const lines = result.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
    throw new EnvError(variables, `Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = result.data;
  if (env.LEDGERLINE_BACKEND === 'aws') {
    const missing: [string, string][] = [];
    if (!env.LEDGERLINE_SESSION_SECRET) {
      missing.push(['LEDGERLINE_SESSION_SECRET', 'required when LEDGERLINE_BACKEND is "aws"']);
    }
    if (!env.LEDGERLINE_ALB_ARN) {
      missing.push([
        'LEDGERLINE_ALB_ARN',
        'required when LEDGERLINE_BACKEND is "aws" (the ARN of the load balancer that signs the OIDC tokens)',
      ]);
    } else {
      const albRegion = ALB_ARN.exec(env.LEDGERLINE_ALB_ARN)?.[1];
      if (albRegion !== env.AWS_REGION) {
        missing.push([
          'LEDGERLINE_ALB_ARN',
          `the load balancer is in ${albRegion}, but AWS_REGION is ${env.AWS_REGION}; its tokens are verified with that region's keys`,
        ]);
      }
    }
    for (const name of ['LEDGERLINE_AUDIT_TABLE', 'LEDGERLINE_STATE_TABLE'] as const) {
      if (!env[name]) {
        missing.push([
          name,
          'required when LEDGERLINE_BACKEND is "aws" (the console\'s state is kept in DynamoDB there)',
        ]);
      }
    }
    if (missing.length > 0) {
      throw new EnvError(
        missing.map(([name]) => name),
        `Invalid configuration:\n${missing.map(([name, why]) => `  ${name}: ${why}`).join('\n')}`,
      );
    }
    env.LEDGERLINE_ADMIN_API = false;
  }
  return env;
}
