/**
 * Security headers and the Content-Security-Policy, set by proxy.ts on every response.
 * Scripts: only ours, by per-request nonce (Next.js applies it to its own scripts when the
 * page renders dynamically) plus the root layout's inline theme script by hash (the unit
 * test beside this file fails if that script changes without this hash).
 * Pure: no Node APIs (the proxy may run anywhere).
 */
import 'server-only';

export const THEME_SCRIPT_SHA256 = 'UpjQbuHmeT2iGcO1yp6H1Jq/h00G5fecT2aEN245dyQ=';

export function contentSecurityPolicy(nonce: string, opts: { dev: boolean; https: boolean }): string {
  const directives = [
    `default-src 'self'`,
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic' 'sha256-${THEME_SCRIPT_SHA256}'${opts.dev ? ` 'unsafe-eval'` : ''}`,
    opts.dev ? `style-src 'self' 'unsafe-inline'` : `style-src 'self' 'nonce-${nonce}'`,
    // React renders style attributes (progress bars, charts); attributes cannot run code.
    `style-src-attr 'unsafe-inline'`,
    `img-src 'self' data: blob:`,
    `font-src 'self' data:`,
    `connect-src 'self'${opts.dev ? ' ws: wss:' : ''}`,
    `object-src 'none'`,
    `base-uri 'none'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
    ...(opts.https ? ['upgrade-insecure-requests'] : []),
  ];
  return directives.join('; ');
}

export function securityHeaders(opts: { https: boolean }): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
    // Kept for its cost: a page with its own browsing context group commits in a fresh renderer
    // process when reached from another context (a 110-160 ms task under Lighthouse's navigation
    // from about:blank; mobile performance of a bare page 96 without, 80-88 with). A user arriving
    // from another site gets a new process under site isolation anyway. The web bench's floor page
    // carries this header too (bench/fixtures/web-floor.ts).
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    ...(opts.https ? { 'strict-transport-security': 'max-age=63072000; includeSubDomains' } : {}),
  };
}
