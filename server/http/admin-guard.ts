import 'server-only';
import { isLoopbackHost } from '@/scripts/host-check.mjs';
import { env } from '@/server/env';
import { HttpError } from './errors';

/** The hostname of a Host header value ("127.0.0.1:3000" → "127.0.0.1"); null when it is not a plain host[:port]. */
function hostnameOf(host: string): string | null {
  if (!/^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) return null;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return null;
  }
}

/**
 * The admin API answers only requests addressed to a loopback name (Host header) and, when the
 * request carries an Origin, coming from a loopback origin. Binding to 127.0.0.1 alone is not
 * enough: a DNS-rebinding page (rebind.attacker.example resolving to 127.0.0.1) reaches the
 * socket with its own name in Host and Origin, and `HOST=0.0.0.0` opens the socket to the network.
 */
export function assertLoopbackRequest(request: Request): void {
  const host = request.headers.get('host') ?? new URL(request.url).host;
  const hostname = hostnameOf(host);
  if (hostname === null || !isLoopbackHost(hostname)) {
    throw new HttpError(
      403,
      'AdminApiNotLoopback',
      `host: the admin API answers only requests to 127.0.0.1, localhost or [::1] (Host header was ${JSON.stringify(host.slice(0, 100))})`,
      'host',
    );
  }
  const origin = request.headers.get('origin');
  if (origin === null) return;
  let originHostname: string | null = null;
  try {
    const url = new URL(origin);
    if (url.protocol === 'http:' || url.protocol === 'https:') originHostname = url.hostname;
  } catch {
    originHostname = null;
  }
  if (originHostname === null || !isLoopbackHost(originHostname)) {
    throw new HttpError(
      403,
      'AdminApiNotLoopback',
      `origin: the admin API answers only pages served from 127.0.0.1, localhost or [::1] (Origin header was ${JSON.stringify(origin.slice(0, 100))})`,
      'origin',
    );
  }
}

/**
 * The local fault API's precondition (app/api/admin/**, checked by the route wrapper before the
 * session): the local backend only, LEDGERLINE_ADMIN_API on, a loopback Host (and Origin when
 * sent). scripts/start.mjs refuses to bind a non-loopback HOST while the admin API is on.
 */
export function assertAdminApi(request: Request): void {
  if (env.LEDGERLINE_BACKEND !== 'local')
    throw new HttpError(
      403,
      'AdminApiDisabled',
      'The admin API exists only with the local backend (LEDGERLINE_BACKEND=local)',
    );
  if (!env.LEDGERLINE_ADMIN_API)
    throw new HttpError(403, 'AdminApiDisabled', 'The admin API is disabled (LEDGERLINE_ADMIN_API=false)');
  assertLoopbackRequest(request);
}

/** The route options every admin API handler shares: an admin session, CSRF, loopback only. */
export const adminRouteOptions = {
  permission: 'platform.admin',
  precondition: assertAdminApi,
  originOptional: true,
} as const;
