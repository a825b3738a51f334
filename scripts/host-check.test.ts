import { describe, expect, it } from 'vitest';
import { adminApiEnabled, bindHostOf, bindHostProblem, isLoopbackHost } from './host-check.mjs';

describe('the start script bind-host check', () => {
  it('lets the default `npm start` (no HOST, local backend, admin API on) bind to 127.0.0.1', () => {
    expect(bindHostOf({})).toBe('127.0.0.1');
    expect(adminApiEnabled({})).toBe(true);
    expect(bindHostProblem({})).toBeNull();
  });

  it.each(['127.0.0.1', 'localhost', '::1', '[::1]', '127.0.0.2'])('accepts the loopback HOST %j', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
    expect(bindHostProblem({ HOST: host })).toBeNull();
  });

  it.each(['0.0.0.0', '::', '', '192.168.1.20', 'my-laptop', '127.0.0.1.nip.io', '128.0.0.1'])(
    'refuses HOST %j while the admin API is on, naming HOST and how to fix it',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
      const problem = bindHostProblem({ HOST: host });
      expect(problem).toContain(`HOST=${JSON.stringify(host)}`);
      expect(problem).toMatch(/LEDGERLINE_ADMIN_API=false/);
      expect(bindHostProblem({ HOST: host, LEDGERLINE_ADMIN_API: 'true', LEDGERLINE_BACKEND: 'local' })).toBe(problem);
    },
  );

  it('allows a non-loopback HOST when the admin API is switched off or the backend is aws', () => {
    expect(bindHostProblem({ HOST: '0.0.0.0', LEDGERLINE_ADMIN_API: 'false' })).toBeNull();
    expect(bindHostProblem({ HOST: '0.0.0.0', LEDGERLINE_ADMIN_API: '0' })).toBeNull();
    expect(bindHostProblem({ HOST: '0.0.0.0', LEDGERLINE_BACKEND: 'aws' })).toBeNull();
  });
});
