import { afterAll, describe, expect, it } from 'vitest';
import { removeDataDir, tempDataDir } from '@/infra/embedded/test-support';
import { ACTION_CLAIM_TTL_MS, SqliteActionClaimStore } from './action-claim-store';
import { openConsoleDb } from './console-db';

const dataDir = tempDataDir('claims');
// Two connections to one file: two request handlers or two console processes.
const a = openConsoleDb(dataDir);
const b = openConsoleDb(dataDir);
const holder = (requestId: string) => ({
  action: 'replay.start',
  actorId: 'u-operator',
  actorName: 'Omar Operator',
  requestId,
  detail: 'the start of a replay of archive x over t0 to t1',
});

afterAll(() => {
  a.close();
  b.close();
  removeDataDir(dataDir);
});

describe('claims of write actions in flight', () => {
  it('gives a scope to one holder at a time, across connections, and names the holder to the others', async () => {
    const first = await new SqliteActionClaimStore(a).claim('scope-1', holder('req-1'), 1_000);
    const second = await new SqliteActionClaimStore(b).claim('scope-1', holder('req-2'), 1_001);
    expect(first.ok).toBe(true);
    expect(second).toEqual({
      ok: false,
      holder: { ...holder('req-1'), claimedAt: new Date(1_000).toISOString() },
    });
    expect((await new SqliteActionClaimStore(b).claim('scope-2', holder('req-3'), 1_002)).ok).toBe(true);
  });

  it('is released only by its own token, and can then be claimed again', async () => {
    const store = new SqliteActionClaimStore(a);
    const got = await store.claim('scope-3', holder('req-4'), 2_000);
    if (!got.ok) throw new Error('expected the claim');
    await store.release('scope-3', 'another-token');
    expect((await store.claim('scope-3', holder('req-5'), 2_001)).ok).toBe(false);
    await store.release('scope-3', got.token);
    expect((await store.claim('scope-3', holder('req-6'), 2_002)).ok).toBe(true);
  });

  it('takes over a claim its crashed holder never released once it is older than the TTL', async () => {
    const store = new SqliteActionClaimStore(a);
    expect((await store.claim('scope-4', holder('req-7'), 3_000)).ok).toBe(true);
    expect((await store.claim('scope-4', holder('req-8'), 3_000 + ACTION_CLAIM_TTL_MS - 1)).ok).toBe(false);
    const late = await new SqliteActionClaimStore(b).claim('scope-4', holder('req-9'), 3_000 + ACTION_CLAIM_TTL_MS);
    expect(late.ok).toBe(true);
  });
});
