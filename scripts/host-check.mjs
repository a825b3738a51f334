/**
 * `npm start` refuses to bind the console to a non-loopback HOST while the embedded platform's
 * admin API (fault injection, purge) is on: that API is local-only, and the bind address is the
 * first of its two guards (the second is its loopback Host/Origin check in
 * server/platform/local/admin.ts). Mirrors server/env.schema.ts: the admin API is on when the
 * backend is local (the default) and LEDGERLINE_ADMIN_API is not "false"/"0".
 */

export const DEFAULT_HOST = '127.0.0.1';

/** The address `next start -H` gets: HOST, else 127.0.0.1. */
export function bindHostOf(env) {
  return env.HOST ?? DEFAULT_HOST;
}

/** 127.0.0.0/8, ::1 (bare or bracketed) or localhost. Anything else (0.0.0.0, ::, '', a LAN name) is not. */
export function isLoopbackHost(host) {
  const h = host.trim().toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(h);
}

/** Whether the console will serve app/api/admin/** with this environment. */
export function adminApiEnabled(env) {
  const backend = env.LEDGERLINE_BACKEND ?? 'local';
  const flag = env.LEDGERLINE_ADMIN_API;
  return backend === 'local' && flag !== 'false' && flag !== '0';
}

/** Why the console must not start with this environment, or null when it may. */
export function bindHostProblem(env) {
  const host = bindHostOf(env);
  if (isLoopbackHost(host) || !adminApiEnabled(env)) return null;
  return (
    `HOST=${JSON.stringify(host)} is not a loopback address, and the local-only admin API ` +
    '(fault injection, dead-letter purge) is on: anyone who can reach this address could use it. ' +
    'Unset HOST (or set HOST=127.0.0.1), or set LEDGERLINE_ADMIN_API=false to serve the console on ' +
    'a non-loopback address without the admin API.'
  );
}
