import { describe, expect, it } from 'vitest';
import { delayAfter, SignInThrottle, THROTTLE } from './sign-in-throttle';

const HOUR = 60 * 60_000;

/** Runs one address retrying whenever allowed, every attempt failing; returns the attempts allowed. */
function guessFor(throttle: SignInThrottle, clock: { t: number }, ms: number, emailFor: (i: number) => string) {
  const end = clock.t + ms;
  let allowed = 0;
  while (clock.t < end) {
    const verdict = throttle.attempt(emailFor(allowed), '198.51.100.9');
    if (verdict.allowed) allowed += 1;
    else clock.t += verdict.retryAfterMs;
  }
  return allowed;
}

describe('SignInThrottle', () => {
  it('doubles the wait after the free failures, up to the cap', () => {
    expect([0, 4, 5, 6, 7, 13, 14, 100].map((n) => delayAfter(n, THROTTLE.pair))).toEqual([
      0, 0, 1_000, 2_000, 4_000, 256_000, 300_000, 300_000,
    ]);
  });

  it('bounds one address to 29 guesses in its first 10 minutes and 12 an hour after that, over a day', () => {
    const clock = { t: 0 };
    const throttle = new SignInThrottle(() => clock.t);
    expect(guessFor(throttle, clock, 10 * 60_000, (i) => `u${i}@example.test`)).toBe(29);
    expect(guessFor(throttle, clock, 23 * HOUR, (i) => `v${i}@example.test`)).toBeLessThanOrEqual(23 * 12 + 1);
  });

  it('forgets a budget an hour after its last failure', () => {
    const clock = { t: 0 };
    const throttle = new SignInThrottle(() => clock.t);
    const guess = () => throttle.attempt('a@example.test', '198.51.100.9').allowed;
    expect(Array.from({ length: 6 }, guess)).toEqual([true, true, true, true, true, false]);
    clock.t += HOUR - 1;
    expect(Array.from({ length: 2 }, guess)).toEqual([true, false]); // remembered: 6 failures
    clock.t += HOUR;
    expect(Array.from({ length: 6 }, guess)).toEqual([true, true, true, true, true, false]); // afresh
  });

  it('gives a correct password its reservation back: successes alone never build a wait', () => {
    const throttle = new SignInThrottle(() => 0);
    for (let i = 0; i < 1_000; i += 1) {
      const verdict = throttle.attempt('admin@ledgerline.local', '127.0.0.1');
      if (!verdict.allowed) throw new Error(`attempt ${i} throttled`);
      throttle.succeeded(verdict.attempt);
    }
    expect(throttle.size).toEqual({ pairs: 0, addresses: 0 });
  });

  it(`keeps at most ${THROTTLE.maxKeys} keys per budget, evicting the least recently used`, () => {
    const throttle = new SignInThrottle(() => 0);
    const victim = () => throttle.attempt('victim@example.test', '203.0.113.1');
    for (let i = 0; i < 5; i += 1) victim();
    for (let i = 0; i < THROTTLE.maxKeys + 5_000; i += 1) {
      throttle.attempt(`spray${i}@example.test`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      if (i % 1_000 === 0) expect(victim().allowed).toBe(false); // touched: stays while recently used
    }
    expect(throttle.size).toEqual({ pairs: THROTTLE.maxKeys, addresses: THROTTLE.maxKeys });
  });
});
