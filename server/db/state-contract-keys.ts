/**
 * The console-state contract, continued (server/db/state-contract.ts runs it): request keys,
 * claims of actions in flight and seen roles, each shared by the two instances.
 */
import 'server-only';
import { describe, expect, it } from 'vitest';
import type { Caller } from '../auth/permissions.schema';
import { SEEN_ROLE_REFRESH_MS } from '../auth/seen-roles';
import { ACTION_CLAIM_TTL_MS } from './action-claim-store';
import { REQUEST_KEY_TTL_MS } from './request-key-store';
import type { StateHarness } from './state-harness';

const holder = (requestId: string) => ({
  action: 'replay.start',
  actorId: 'u-op',
  actorName: 'Olivia Operator',
  requestId,
  detail: 'the start of a replay of archive main',
});
const omar: Caller = { id: 'oidc-omar', name: 'omar@bank.example', role: 'operator' };
const T0 = Date.parse('2026-11-26T03:00:00Z');

export function runKeyContract(name: string, harness: () => StateHarness): void {
  describe(`${name}: Idempotency-Key records`, () => {
    it('claims a key once; a retry gets the stored answer, other inputs are refused', async () => {
      const { a, b } = harness();
      expect(await a.requestKeys.claim('u-op', 'k-1', 'replay.start', 'fp-1', T0)).toEqual({ state: 'new' });
      expect(await b.requestKeys.claim('u-op', 'k-1', 'replay.start', 'fp-1', T0 + 1)).toEqual({
        state: 'in_progress',
      });
      expect(await b.requestKeys.claim('u-other', 'k-1', 'replay.start', 'fp-1', T0 + 1)).toEqual({ state: 'new' });
      await a.requestKeys.complete('u-op', 'k-1', 200, { status: 'started', id: 'rp-1' });
      await b.requestKeys.release('u-op', 'k-1'); // a finished key is not released
      expect(await b.requestKeys.claim('u-op', 'k-1', 'replay.start', 'fp-1', T0 + 2)).toEqual({
        state: 'done',
        status: 200,
        response: { status: 'started', id: 'rp-1' },
      });
      expect(await b.requestKeys.claim('u-op', 'k-1', 'redrive.start', 'fp-2', T0 + 3)).toEqual({
        state: 'mismatch',
        action: 'replay.start',
      });
      expect(await a.requestKeys.claim('u-op', 'k-1', 'redrive.start', 'fp-2', T0 + REQUEST_KEY_TTL_MS)).toEqual({
        state: 'new',
      });
    });

    it('frees a failed attempt’s key, and gives a key to exactly one of 20 parallel claims', async () => {
      const { a, b } = harness();
      expect((await a.requestKeys.claim('u-op', 'k-2', 'saga.compensate', 'fp', T0)).state).toBe('new');
      await b.requestKeys.release('u-op', 'k-2');
      expect((await b.requestKeys.claim('u-op', 'k-2', 'saga.compensate', 'fp', T0 + 1)).state).toBe('new');
      const states = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).requestKeys.claim('u-op', 'k-3', 'x', 'fp', T0)),
      );
      expect(states.filter((s) => s.state === 'new')).toHaveLength(1);
      expect(states.filter((s) => s.state === 'in_progress')).toHaveLength(19);
    });
  });

  describe(`${name}: claims of actions in flight`, () => {
    it('gives a scope to one holder at a time, across instances, and names the holder to the others', async () => {
      const { a, b } = harness();
      expect((await a.claims.claim('scope-1', holder('req-1'), 1_000)).ok).toBe(true);
      expect(await b.claims.claim('scope-1', holder('req-2'), 1_001)).toEqual({
        ok: false,
        holder: { ...holder('req-1'), claimedAt: new Date(1_000).toISOString() },
      });
      expect((await b.claims.claim('scope-2', holder('req-3'), 1_002)).ok).toBe(true);
    });

    it('is released only by its own token, and taken over once older than the TTL', async () => {
      const { a, b } = harness();
      const got = await a.claims.claim('scope-3', holder('req-4'), 2_000);
      if (!got.ok) throw new Error('expected the claim');
      await b.claims.release('scope-3', 'another-token');
      expect((await b.claims.claim('scope-3', holder('req-5'), 2_001)).ok).toBe(false);
      await b.claims.release('scope-3', got.token);
      expect((await b.claims.claim('scope-3', holder('req-6'), 2_002)).ok).toBe(true);
      expect((await a.claims.claim('scope-3', holder('req-7'), 2_002 + ACTION_CLAIM_TTL_MS - 1)).ok).toBe(false);
      expect((await a.claims.claim('scope-3', holder('req-8'), 2_002 + ACTION_CLAIM_TTL_MS)).ok).toBe(true);
    });

    it('gives a scope to exactly one of 20 parallel claims', async () => {
      const { a, b } = harness();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).claims.claim('scope-4', holder(`req-${i}`), 3_000)),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
    });
  });

  describe(`${name}: seen roles`, () => {
    it('shares the role last asserted between instances, a demotion at once', async () => {
      const { a, b } = harness();
      expect(await b.seenRoles.lastSeen(omar.id)).toBeNull();
      expect(await b.seenRoles.lastSeenAt(omar.id)).toBeNull();
      expect(await a.seenRoles.record(omar, T0)).toBe(true);
      expect(await a.seenRoles.record(omar, T0 + SEEN_ROLE_REFRESH_MS - 1)).toBe(false);
      expect(await b.seenRoles.lastSeen(omar.id)).toEqual(omar);
      expect(await b.seenRoles.lastSeenAt(omar.id)).toBe(T0);
      expect(await b.seenRoles.record({ ...omar, role: 'viewer' }, T0 + 1_000)).toBe(true);
      expect(await a.seenRoles.lastSeen(omar.id)).toEqual({ ...omar, role: 'viewer' });
    });
  });
}
