import { rmSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';
import { baseURL, external, port } from './e2e/env';

/**
 * Runs against the embedded platform (a fresh data dir per run) unless E2E_BASE_URL points at
 * another console (staging, or a separately started local one). Projects, in order:
 * `auth` (one stored session per role) → `gate` (empty request log; with mutations off, the state
 * before) → `chromium` (the specs; @mutates ones only where mutations are allowed) → `gate-check`
 * (with mutations off: no mutating request was sent and nothing changed). Variables: README.
 */
const dataDir = process.env.E2E_DATA_DIR ?? `.data/e2e-${port}`;
// Fresh data for each run. Only in the runner's main process: every worker process loads this
// file too (a new one after each failed test), and must not delete the database under the
// running engine and console.
const isWorker = process.env.TEST_WORKER_INDEX !== undefined;
if (!external && !process.env.E2E_KEEP_DATA && !isWorker) rmSync(dataDir, { recursive: true, force: true });

const chromium = {
  ...devices['Desktop Chrome'],
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  },
};

export default defineConfig({
  testDir: 'e2e',
  // One output folder per port: parallel runs in one checkout do not trample each other's traces.
  outputDir: `test-results/e2e-${external ? new URL(external).port || 'external' : port}`,
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: { baseURL, trace: 'retain-on-failure', screenshot: 'only-on-failure' },
  projects: [
    // Credentials are typed here: no trace, screenshot or video of this project, ever.
    {
      name: 'auth',
      testMatch: /auth\.setup\.ts$/,
      use: { ...chromium, trace: 'off', screenshot: 'off', video: 'off' },
    },
    { name: 'gate', testMatch: /gate\.setup\.ts$/, dependencies: ['auth'], teardown: 'gate-check', use: chromium },
    { name: 'gate-check', testMatch: /gate\.teardown\.ts$/, use: chromium },
    { name: 'chromium', testMatch: /\.spec\.ts$/, dependencies: ['gate'], use: chromium },
  ],
  webServer: external
    ? undefined
    : {
        command: 'node scripts/start.mjs',
        url: `${baseURL}/api/health`,
        reuseExistingServer: false,
        timeout: 180_000,
        stdout: 'pipe',
        env: {
          PORT: String(port),
          LEDGERLINE_BACKEND: 'local',
          LEDGERLINE_DATA_DIR: dataDir,
          LEDGERLINE_STAGE: 'local',
          NEXT_TELEMETRY_DISABLED: '1',
        },
      },
});
