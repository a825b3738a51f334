import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, securityHeaders, THEME_SCRIPT_SHA256 } from './security-headers';

describe('content security policy', () => {
  it('allows the root layout inline theme script by its current hash', () => {
    const layout = fs.readFileSync(new URL('../../app/layout.tsx', import.meta.url), 'utf8');
    const script = /const themeScript = `([^`]*)`;/.exec(layout)?.[1];
    expect(script, 'app/layout.tsx themeScript').toBeDefined();
    expect(createHash('sha256').update(script!).digest('base64')).toBe(THEME_SCRIPT_SHA256);
  });

  it('allows scripts only by nonce or hash, forbids framing, plugins and foreign form targets in production', () => {
    const csp = contentSecurityPolicy('abc', { dev: false, https: true });
    expect(csp).toContain(`script-src 'self' 'nonce-abc' 'strict-dynamic'`);
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain(`frame-ancestors 'none'`);
    expect(csp).toContain(`object-src 'none'`);
    expect(csp).toContain(`form-action 'self'`);
    expect(csp).toContain('upgrade-insecure-requests');
    expect(securityHeaders({ https: true })['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    expect(securityHeaders({ https: false })['strict-transport-security']).toBeUndefined();
  });
});
