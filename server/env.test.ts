import { describe, expect, it } from 'vitest';
import { EnvError, parseEnv } from './env.schema';

describe('parseEnv', () => {
  it('defaults to the embedded platform on port 3000 with data under .data', () => {
    const env = parseEnv({});
    expect(env.LEDGERLINE_BACKEND).toBe('local');
    expect(env.LEDGERLINE_DATA_DIR).toBe('.data');
    expect(env.PORT).toBe(3000);
    expect(env.LEDGERLINE_STAGE).toBe('local');
  });

  it('rejects an unknown LEDGERLINE_BACKEND with a message naming the variable', () => {
    let error: unknown;
    try {
      parseEnv({ LEDGERLINE_BACKEND: 'azure' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvError);
    expect((error as EnvError).variables).toEqual(['LEDGERLINE_BACKEND']);
    expect((error as EnvError).message).toMatch(/LEDGERLINE_BACKEND must be "local" or "aws" \(got "azure"\)/);
  });

  it('rejects a non-numeric PORT naming PORT', () => {
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('requires a session secret with the aws backend and turns the admin API off', () => {
    expect(() => parseEnv({ LEDGERLINE_BACKEND: 'aws' })).toThrow(/LEDGERLINE_SESSION_SECRET/);
    const env = parseEnv({ LEDGERLINE_BACKEND: 'aws', LEDGERLINE_SESSION_SECRET: 'x'.repeat(32) });
    expect(env.LEDGERLINE_ADMIN_API).toBe(false);
  });
});
