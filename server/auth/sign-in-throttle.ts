import 'server-only';

/**
 * Sign-in throttling that slows guessing without locking out the real user.
 *
 * Two budgets, both counting failed attempts only (a correct password never adds to them):
 * - per (account, address): after FREE failures, each further failure doubles the wait before
 *   the next attempt for that account FROM THAT ADDRESS (1 s, 2 s, 4 s … capped). A success
 *   from that address clears it. Guesses from one address never delay the same account from
 *   another address: there is no per-account-only state, so no lockout to weaponise.
 * - per address, across accounts (password spraying): the same curve with a larger allowance.
 *   A success does not clear it (one valid account must not buy fresh guesses at the others).
 * A key with no failure for FORGET_MS starts afresh. Throttled attempts are answered at once
 * (429 + Retry-After) without checking the password, so they cost nothing and reveal nothing.
 * Memory is bounded: each budget keeps at most MAX_KEYS keys, evicting the least recently used.
 */
export const THROTTLE = {
  pair: { free: 5, baseMs: 1_000, capMs: 5 * 60_000 },
  address: { free: 20, baseMs: 1_000, capMs: 5 * 60_000 },
  forgetMs: 60 * 60_000,
  /** Per budget; one entry is a key (≤ 300 bytes) and three numbers, so ≤ ~4 MB each. */
  maxKeys: 10_000,
} as const;

interface Curve {
  free: number;
  baseMs: number;
  capMs: number;
}

interface Budget {
  failures: number;
  lastFailureAt: number;
  /** lastFailureAt of the lock whose first refusal was audited (one audit row per lock). */
  auditedLock: number;
}

/** The wait after `failures` consecutive failures: none within the allowance, then doubling up to the cap. */
export function delayAfter(failures: number, curve: Curve): number {
  if (failures < curve.free) return 0;
  const exponent = Math.min(failures - curve.free, 40);
  return Math.min(curve.baseMs * 2 ** exponent, curve.capMs);
}

/** A Map capped at `max` keys, least recently used evicted first (Map keeps insertion order). */
class LruMap<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}

export type ThrottleVerdict =
  | { allowed: true; attempt: { pairKey: string; address: string } }
  | { allowed: false; retryAfterMs: number; failures: number; firstRefusal: boolean };

export class SignInThrottle {
  private readonly pairs = new LruMap<Budget>(THROTTLE.maxKeys);
  private readonly addresses = new LruMap<Budget>(THROTTLE.maxKeys);

  constructor(private now: () => number = Date.now) {}

  /** Forgets every budget (and, for tests, swaps the clock). */
  reset(now?: () => number): void {
    this.pairs.clear();
    this.addresses.clear();
    if (now) this.now = now;
  }

  get size(): { pairs: number; addresses: number } {
    return { pairs: this.pairs.size, addresses: this.addresses.size };
  }

  private live(map: LruMap<Budget>, key: string, now: number): Budget {
    const b = map.get(key);
    if (b && now - b.lastFailureAt < THROTTLE.forgetMs) return b;
    const fresh = { failures: 0, lastFailureAt: now, auditedLock: -1 };
    map.set(key, fresh);
    return fresh;
  }

  /**
   * Decides an attempt before the password is checked. An allowed attempt is reserved as a
   * failure at once, so concurrent attempts each see the ones before them; succeeded() gives
   * it back.
   */
  attempt(email: string, address: string): ThrottleVerdict {
    const now = this.now();
    const pairKey = `${address}\u0000${email}`;
    const pair = this.live(this.pairs, pairKey, now);
    const byAddress = this.live(this.addresses, address, now);
    const pairWait = pair.lastFailureAt + delayAfter(pair.failures, THROTTLE.pair) - now;
    const addressWait = byAddress.lastFailureAt + delayAfter(byAddress.failures, THROTTLE.address) - now;
    if (pairWait > 0 || addressWait > 0) {
      const binding = pairWait >= addressWait ? pair : byAddress;
      const firstRefusal = binding.auditedLock !== binding.lastFailureAt;
      binding.auditedLock = binding.lastFailureAt;
      return {
        allowed: false,
        retryAfterMs: Math.max(pairWait, addressWait),
        failures: binding.failures,
        firstRefusal,
      };
    }
    for (const b of [pair, byAddress]) {
      b.failures += 1;
      b.lastFailureAt = now;
    }
    return { allowed: true, attempt: { pairKey, address } };
  }

  /** The failures counted so far for this account from this address (for the audit row). */
  failuresOf(attempt: { pairKey: string }): number {
    return this.pairs.get(attempt.pairKey)?.failures ?? 0;
  }

  /** The password was right: clear this account's budget at this address, give back the address's reservation. */
  succeeded(attempt: { pairKey: string; address: string }): void {
    this.pairs.delete(attempt.pairKey);
    const byAddress = this.addresses.get(attempt.address);
    if (byAddress && --byAddress.failures <= 0) this.addresses.delete(attempt.address);
  }
}

/** The process's throttle (sign-in runs in the console's one server process). */
export const signInThrottle = new SignInThrottle();
