/**
 * The container image's entry point without Docker: the Dockerfile runs `node server.js` from
 * Next's standalone output. This starts exactly that, from the production build the e2e phase
 * has just made (`next build` in scripts/test.mjs; output 'standalone' in next.config.js: no
 * second build), on a free port with a fresh data dir, and asks /api/health. The answer proves
 * the traced server starts and that better-sqlite3's native module, copied into
 * standalone/node_modules, loads and opens the embedded platform's database.
 * Local only: skipped when E2E_BASE_URL points at a deployed console.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';

const standalone = resolve(process.env.NEXT_DIST_DIR ?? '.next', 'standalone');

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });
}

test.skip(!!process.env.E2E_BASE_URL, 'the standalone server is checked against the local build only');

test('the standalone output starts with `node server.js` and answers /api/health', async ({ request }) => {
  expect(existsSync(join(standalone, 'server.js')), `${standalone}/server.js (run next build first)`).toBe(true);
  expect(existsSync(join(standalone, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true);
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'ledgerline-standalone-'));
  let output = '';
  let child: ChildProcess | undefined;
  try {
    child = spawn(process.execPath, ['server.js'], {
      cwd: standalone,
      // What the Dockerfile sets, minus the container paths; nothing inherited from this shell.
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        PORT: String(port),
        HOSTNAME: '127.0.0.1',
        LEDGERLINE_BACKEND: 'local',
        LEDGERLINE_STAGE: 'local',
        LEDGERLINE_DATA_DIR: dataDir,
        LEDGERLINE_ADMIN_API: 'false',
        LEDGERLINE_TRAFFIC_RATE: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((done) => child!.once('exit', done));
    const url = `http://127.0.0.1:${port}/api/health`;
    // Poll until the server answers or exits (the test's own timeout bounds the wait).
    let answered = false;
    while (!answered) {
      const gone = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 250))]);
      if (gone) throw new Error(`node server.js exited before answering:\n${output}`);
      answered = await request
        .get(url, { timeout: 2_000 })
        .then(() => true)
        .catch(() => false);
    }
    const res = await request.get(url);
    expect(res.status(), output).toBe(200);
    expect(res.headers()['cache-control']).toBe('no-store');
    const body = (await res.json()) as { backend: string; stage: string; version: string; detail: string };
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(body).toMatchObject({ backend: 'local', stage: 'local', version: pkg.version });
    // The embedded platform's database was opened through better-sqlite3 (no engine runs here).
    expect(body.detail, output).toMatch(/^embedded platform \(SQLite\): engine/);
  } finally {
    child?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
