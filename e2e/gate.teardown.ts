/**
 * The mutation gate's proof (project `gate-check`, the teardown of `gate`: it runs after every
 * spec). With E2E_BASE_URL set and mutations off, the specs' recorded requests contain no POST,
 * PUT, PATCH or DELETE (none was even attempted: the @mutates specs were skipped), and on a
 * local console (backend `local`: no other traffic than ours) the audit log and the platform's
 * state read after the specs equal those read before.
 */
import { existsSync, readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { openConsoleSession } from './drivers/console-session';
import { gateSnapshotFile, mutationsAllowed, requestLogFile } from './env';
import { isMutating, type RecordedRequest } from './gate/request-guard';
import { snapshot, type Snapshot } from './gate/snapshot';

test('with mutations off, the run sent no mutating request and changed nothing', async () => {
  test.skip(mutationsAllowed, 'mutations are allowed in this run: nothing to prove');
  const recorded = existsSync(requestLogFile)
    ? readFileSync(requestLogFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as RecordedRequest)
    : [];
  const methods = [...new Set(recorded.map((r) => r.method))].sort();
  test
    .info()
    .annotations.push({ type: 'recorded requests', description: `${recorded.length} (${methods.join(', ')})` });
  console.log(`[gate] ${recorded.length} requests recorded, methods: ${methods.join(', ')}`);
  expect(recorded.length, 'the specs made requests (the log is not empty)').toBeGreaterThan(0);
  expect(recorded.filter((r) => isMutating(r.method))).toEqual([]);

  const before = JSON.parse(readFileSync(gateSnapshotFile, 'utf8')) as {
    backend: string;
    asOf: string;
    state: Snapshot;
  };
  if (before.backend !== 'local') {
    test.info().annotations.push({
      type: 'state comparison',
      description: `skipped: the ${before.backend} backend has live traffic and other users`,
    });
    return;
  }
  const admin = await openConsoleSession('admin');
  try {
    const after = await snapshot(admin.request, before.asOf);
    for (const key of Object.keys(before.state) as (keyof Snapshot)[])
      expect(after[key], `${key} unchanged by the run`).toEqual(before.state[key]);
  } finally {
    await admin.request.dispose();
  }
});
