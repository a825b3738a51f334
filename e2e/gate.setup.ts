/**
 * The mutation gate's "before": runs after the sign-ins (project `auth`) and before every spec.
 * It starts an empty request log and, while mutations are off, snapshots the console's state
 * through its read APIs; gate.teardown.ts (project `gate-check`, after every spec) proves that
 * nothing changed. See e2e/gate/.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { test as setup } from '@playwright/test';
import { openConsoleSession } from './drivers/console-session';
import { ensureRunDir, gateSnapshotFile, mutationsAllowed, requestLogFile } from './env';
import { snapshot } from './gate/snapshot';

setup('the gate: an empty request log and, with mutations off, the state before the specs', async () => {
  ensureRunDir();
  rmSync(requestLogFile, { force: true });
  rmSync(gateSnapshotFile, { force: true });
  if (mutationsAllowed) return;
  const admin = await openConsoleSession('admin');
  try {
    const health = (await (await admin.request.get('/api/health')).json()) as { backend: string };
    const asOf = new Date().toISOString();
    writeFileSync(
      gateSnapshotFile,
      JSON.stringify({ backend: health.backend, asOf, state: await snapshot(admin.request, asOf) }),
    );
  } finally {
    await admin.request.dispose();
  }
});
