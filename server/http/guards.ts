import 'server-only';
import { isHttps } from '../auth/cookies';
import { HttpError } from './errors';

export const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const IDEMPOTENCY_HEADER = 'idempotency-key';
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

/** The console's own origin as the browser sees it (Host header; https behind the ALB). */
export function expectedOrigin(request: Request): string {
  const host = request.headers.get('host') ?? new URL(request.url).host;
  return `${isHttps(request) ? 'https' : 'http'}://${host}`;
}

/**
 * Mutating requests must come from the console's own pages: the Origin header must be present
 * and equal our origin, and a browser's Sec-Fetch-Site (when sent) must not be cross-site.
 */
export function assertSameOrigin(request: Request): void {
  const origin = request.headers.get('origin');
  if (!origin || origin === 'null') {
    throw new HttpError(403, 'OriginRequired', 'origin: the Origin header is required on mutating requests', 'origin');
  }
  if (origin !== expectedOrigin(request)) {
    throw new HttpError(403, 'OriginMismatch', `origin: ${origin} is not this console's origin`, 'origin');
  }
  const site = request.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') {
    throw new HttpError(403, 'CrossSite', `sec-fetch-site: ${site} requests cannot change state`, 'sec-fetch-site');
  }
}

/** The Idempotency-Key header (optional; malformed = 422 naming the header). */
export function idempotencyKeyOf(request: Request): string | null {
  const key = request.headers.get(IDEMPOTENCY_HEADER);
  if (key === null) return null;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new HttpError(
      422,
      'InvalidInput',
      'Idempotency-Key: must be 8-128 characters of A-Z a-z 0-9 . _ : -',
      'Idempotency-Key',
    );
  }
  return key;
}
