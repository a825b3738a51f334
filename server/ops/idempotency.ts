import 'server-only';
import { createHash } from 'node:crypto';
import type { Caller } from '../auth/permissions.schema';
import { PlatformError } from '../platform/port';
import type { OpsContext, RequestMeta } from './context';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

export function fingerprint(action: string, input: unknown): string {
  return createHash('sha256')
    .update(action)
    .update('\n')
    .update(JSON.stringify(canonical(input)))
    .digest('hex');
}

/**
 * Runs a write once per (user, Idempotency-Key): a retry with the same key and inputs gets the
 * first answer without acting again; the same key with other inputs is refused (422 naming
 * the header); a retry while the first is still running gets 409. A failed attempt releases
 * the key, so fixing the input and retrying works.
 */
export async function withIdempotency<T>(
  ctx: OpsContext,
  caller: Caller,
  meta: RequestMeta,
  action: string,
  input: unknown,
  run: () => Promise<T>,
): Promise<T> {
  const key = meta.idempotencyKey;
  if (!key) return run();
  const claim = await ctx.requestKeys.claim(caller.id, key, action, fingerprint(action, input), ctx.now());
  if (claim.state === 'done') return claim.response as T;
  if (claim.state === 'in_progress') {
    throw new PlatformError(
      'Conflict',
      'Idempotency-Key: the first request with this key is still running',
      'Idempotency-Key',
    );
  }
  if (claim.state === 'mismatch') {
    throw new PlatformError(
      'Invalid',
      `Idempotency-Key: already used for a different ${claim.action} request; use a new key for new inputs`,
      'Idempotency-Key',
    );
  }
  try {
    const result = await run();
    await ctx.requestKeys.complete(caller.id, key, 200, result);
    return result;
  } catch (error) {
    await ctx.requestKeys.release(caller.id, key);
    throw error;
  }
}
