import 'server-only';
import { decodeProtectedHeader, importSPKI, jwtVerify, type JWTPayload } from 'jose';
import { roles, type Caller, type Role } from './permissions.schema';

/**
 * Identity behind an AWS Application Load Balancer with OIDC authentication: the ALB signs the
 * user claims (ES256) into `x-amzn-oidc-data`; the public key is served per key id by the
 * regional endpoint. The role comes from a group claim `ledgerline-<role>` (cognito:groups,
 * groups) or the `custom:ledgerline_role` claim; with several groups the most privileged wins.
 * A user without any mapped role has no access.
 */
export const ALB_HEADER = 'x-amzn-oidc-data';

const keyCache = new Map<string, Promise<CryptoKey>>();

export function albKeyUrl(region: string, kid: string): string {
  return `https://public-keys.auth.elb.${region}.amazonaws.com/${encodeURIComponent(kid)}`;
}

async function fetchKey(region: string, kid: string, fetcher: typeof fetch): Promise<CryptoKey> {
  const response = await fetcher(albKeyUrl(region, kid), { cache: 'no-store' });
  if (!response.ok) throw new Error(`ALB public key ${kid}: HTTP ${response.status}`);
  return importSPKI(await response.text(), 'ES256');
}

export function roleFromClaims(claims: JWTPayload): Role | null {
  const found = new Set<string>();
  for (const claim of ['cognito:groups', 'groups']) {
    const value = claims[claim];
    const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[,\s]+/) : [];
    for (const g of list)
      if (typeof g === 'string' && g.startsWith('ledgerline-')) found.add(g.slice('ledgerline-'.length));
  }
  const direct = claims['custom:ledgerline_role'];
  if (typeof direct === 'string') found.add(direct);
  for (const role of [...roles].reverse()) if (found.has(role)) return role;
  return null;
}

export interface AlbOptions {
  region: string;
  /**
   * The ARN of the one load balancer whose tokens are accepted (JWT header `signer`). Any ALB in
   * the region signs with keys from the same public endpoint, so without this check another
   * account's load balancer could mint a valid login; a token without a signer is refused.
   */
  expectedSigner: string;
  fetcher?: typeof fetch;
}

/** The caller for an ALB OIDC token, or null when missing, invalid, expired or unmapped. */
export async function callerFromAlbToken(token: string | null, opts: AlbOptions): Promise<Caller | null> {
  if (!token) return null;
  // The ALB pads its base64url segments with '='; JOSE rejects padding.
  const jwt = token
    .split('.')
    .map((part) => part.replace(/=+$/, ''))
    .join('.');
  try {
    const header = decodeProtectedHeader(jwt) as { kid?: string; signer?: string; alg?: string };
    if (header.alg !== 'ES256' || !header.kid) return null;
    if (!opts.expectedSigner || header.signer !== opts.expectedSigner) return null;
    if (!header.signer.includes(`:${opts.region}:`)) return null;
    const cacheKey = `${opts.region}/${header.kid}`;
    let key = keyCache.get(cacheKey);
    if (!key) {
      key = fetchKey(opts.region, header.kid, opts.fetcher ?? fetch);
      keyCache.set(cacheKey, key);
      key.catch(() => keyCache.delete(cacheKey));
    }
    const { payload } = await jwtVerify(jwt, await key, { algorithms: ['ES256'], clockTolerance: 30 });
    const role = roleFromClaims(payload);
    if (!payload.sub || !role) return null;
    const name =
      typeof payload.name === 'string' ? payload.name : typeof payload.email === 'string' ? payload.email : payload.sub;
    return { id: payload.sub, name, role };
  } catch {
    return null;
  }
}
