import 'server-only';
import { createHash } from 'node:crypto';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Caller, Role } from '../../auth/permissions.schema';
import { PlatformError } from '../port';
import { withAwsDetail } from './errors';

/**
 * Per-caller AWS credentials: the console (default provider chain) assumes the IAM role of the
 * caller's console role with `SourceIdentity` = the operator id, so CloudTrail names the human
 * behind every call (SourceIdentity survives role chaining and cannot be changed by the session).
 * Credentials are cached per (role, operator) until `refreshMarginSeconds` before expiry, and
 * concurrent requests of one operator share a single AssumeRole call.
 *
 * The operator roles' trust policy must allow the console role `sts:AssumeRole` AND
 * `sts:SetSourceIdentity`.
 */

/** The credentials shape every SDK v3 client accepts (AwsCredentialIdentity). */
export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** STS: SourceIdentity and RoleSessionName are 2-64 characters of [A-Za-z0-9_+=,.@-]. */
const ALLOWED = /[^A-Za-z0-9_+=,.@-]/g;
const MAX = 64;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/**
 * The operator id in STS's charset, ≤ 64. An id that had to be changed (disallowed characters,
 * too long, too short) gets a hash suffix of the original, so two different operators never
 * share an identity in CloudTrail.
 */
export function sanitizeSourceIdentity(operatorId: string): string {
  const cleaned = operatorId.replace(ALLOWED, '_');
  if (cleaned === operatorId && cleaned.length >= 2 && cleaned.length <= MAX) return cleaned;
  const suffix = `-${shortHash(operatorId)}`;
  return `${cleaned.slice(0, MAX - suffix.length)}${suffix}`;
}

/** `ledgerline-<sourceIdentity>`, ≤ 64. */
export function roleSessionNameFor(operatorId: string): string {
  const identity = sanitizeSourceIdentity(operatorId);
  const name = `ledgerline-${identity}`;
  return name.length <= MAX ? name : `ll-${identity}`.slice(0, MAX);
}

export interface RoleCredentialsOptions {
  roleArns: Record<Role, string>;
  /** STS client with the console's own credentials (default: default provider chain). */
  sts?: STSClient;
  region?: string;
  /** Session length asked from STS (900-3600 s for chained roles). */
  durationSeconds?: number;
  /** Refresh this long before expiry. */
  refreshMarginSeconds?: number;
  now?: () => number;
}

export type CredentialsProvider = () => Promise<AwsCredentialIdentity>;

export interface RoleCredentials {
  /** A provider for the SDK clients of this caller (resolves through the cache on every call). */
  providerFor(caller: Caller): CredentialsProvider;
  /** Resolves the credentials of this caller now. */
  get(caller: Caller): Promise<AwsCredentialIdentity>;
  /** Number of cached (role, operator) sessions; for tests and metrics. */
  size(): number;
}

export function createRoleCredentials(options: RoleCredentialsOptions): RoleCredentials {
  const sts = options.sts ?? new STSClient(options.region ? { region: options.region } : {});
  const duration = options.durationSeconds ?? 900;
  const margin = (options.refreshMarginSeconds ?? 120) * 1000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, AwsCredentialIdentity>();
  const inFlight = new Map<string, Promise<AwsCredentialIdentity>>();

  async function assume(caller: Caller): Promise<AwsCredentialIdentity> {
    const roleArn = options.roleArns[caller.role];
    if (!roleArn) throw new PlatformError('Forbidden', `no IAM role is configured for the ${caller.role} role`);
    try {
      const res = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: roleSessionNameFor(caller.id),
          SourceIdentity: sanitizeSourceIdentity(caller.id),
          DurationSeconds: duration,
        }),
      );
      const c = res.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
        throw withAwsDetail(
          new PlatformError('Unavailable', `STS AssumeRole of the ${caller.role} role returned no credentials`),
          `AssumeRole of ${roleArn}`,
          new Error('the response has no complete Credentials'),
        );
      }
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
      };
    } catch (error) {
      if (error instanceof PlatformError) throw error;
      // The client sees the role and the AWS error name; the role ARN and STS's message (which
      // names the console's own assumed-role ARN, hence the account id) go to the server log only.
      const e = error as { name?: string };
      const name = typeof e.name === 'string' && /^[\w.:-]{1,100}$/.test(e.name) ? e.name : 'Error';
      const context = `AssumeRole of ${roleArn}`;
      if (name === 'AccessDenied' || name === 'AccessDeniedException') {
        throw withAwsDetail(
          new PlatformError(
            'Forbidden',
            `the console may not assume the ${caller.role} role (STS AssumeRole: ${name}); check that role's trust policy allows the console's role to assume it and set the source identity (details in the server log under this request id)`,
          ),
          context,
          error,
        );
      }
      if (name === 'Throttling' || name === 'ThrottlingException') {
        throw withAwsDetail(
          new PlatformError('Throttled', 'STS is throttling AssumeRole; retry shortly', undefined, 2),
          context,
          error,
        );
      }
      throw withAwsDetail(
        new PlatformError(
          'Unavailable',
          `STS AssumeRole of the ${caller.role} role failed (${name}); retry shortly (details in the server log under this request id)`,
        ),
        context,
        error,
      );
    }
  }

  async function get(caller: Caller): Promise<AwsCredentialIdentity> {
    const key = `${caller.role}\u0000${caller.id}`;
    const cached = cache.get(key);
    if (cached?.expiration && cached.expiration.getTime() - margin > now()) return cached;
    const pending = inFlight.get(key);
    if (pending) return pending;
    const p = assume(caller)
      .then((creds) => {
        cache.set(key, creds);
        return creds;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    // Drop expired sessions so the cache does not grow with every operator ever seen.
    for (const [k, v] of cache) if (v.expiration && v.expiration.getTime() <= now()) cache.delete(k);
    return p;
  }

  return {
    providerFor: (caller) => () => get(caller),
    get,
    size: () => cache.size,
  };
}
