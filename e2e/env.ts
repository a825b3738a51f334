/**
 * The e2e run's settings, read once from the environment (playwright.config.ts, the setup
 * projects, the fixtures and the drivers all use these). Every variable is in the README.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { alarmName, type Stage } from '../infra/platform/description';

/** Roles of the permission matrix (server/auth/permissions.schema.ts). */
export const roles = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof roles)[number];

/** A deployed (or separately started) console; unset = the run starts its own embedded one. */
export const external = process.env.E2E_BASE_URL || undefined;
export const port = Number(process.env.E2E_PORT ?? 3100);
export const baseURL = external ?? `http://127.0.0.1:${port}`;
export const consoleOrigin = new URL(baseURL).origin;

/** The Playwright tag of every test that changes state (on the test or its describe). */
export const MUTATES = '@mutates';
/** Mutations run against the run's own embedded console, or against E2E_BASE_URL only when allowed. */
export const mutationsAllowed = !external || process.env.E2E_ALLOW_MUTATIONS === 'true';
export const mutationsSkipReason = `changes state: skipped against ${consoleOrigin} without E2E_ALLOW_MUTATIONS=true`;

/** How the setup signs in: the console's own form (embedded platform) or the IdP's hosted page. */
export type Idp = 'local' | 'cognito';
export const idpOverride = process.env.E2E_IDP as Idp | undefined;
if (idpOverride && idpOverride !== 'local' && idpOverride !== 'cognito')
  throw new Error(`E2E_IDP must be local or cognito, got ${JSON.stringify(idpOverride)}`);

/** Seeded users of the local backend and their development password (README, "Signing in"). */
export const LOCAL_PASSWORD = process.env.E2E_PASSWORD ?? 'ledgerline-local';
export const localUsers = {
  viewer: 'viewer@ledgerline.local',
  operator: 'operator@ledgerline.local',
  operator2: 'operator2@ledgerline.local',
  approver: 'approver@ledgerline.local',
  admin: 'admin@ledgerline.local',
} as const;

/** The hosted-UI credentials of a role (deployed console): E2E_<ROLE>_USERNAME / _PASSWORD. */
export function idpCredentials(role: Role): { username: string; password: string } {
  const username = process.env[`E2E_${role.toUpperCase()}_USERNAME`];
  const password = process.env[`E2E_${role.toUpperCase()}_PASSWORD`];
  if (!username || !password)
    throw new Error(`E2E_${role.toUpperCase()}_USERNAME and E2E_${role.toUpperCase()}_PASSWORD must be set`);
  return { username, password };
}

/**
 * Gitignored folder of this run's files (storage states, gate snapshot, request log): one per
 * console, so a run against the embedded platform and one against E2E_BASE_URL do not mix.
 */
export const runDir = fileURLToPath(
  new URL(`./.auth/${new URL(baseURL).host.replace(/[^a-z0-9.-]/gi, '_')}/`, import.meta.url),
);
export function ensureRunDir(): string {
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  return runDir;
}
export const storageStateOf = (role: Role): string => `${runDir}${role}.json`;
export const requestLogFile = `${runDir}requests.jsonl`;
export const gateSnapshotFile = `${runDir}gate-before.json`;

/** The stage of the console under test (E2E_STAGE, default local): alarm names and the banner depend on it. */
export const stage = (process.env.E2E_STAGE ?? 'local') as Stage;
if (!['local', 'staging', 'production'].includes(stage))
  throw new Error(`E2E_STAGE must be local, staging or production, got ${JSON.stringify(stage)}`);
export const alarmOf = (suffix: string): string => alarmName(stage, suffix);
export const expectedBackend = stage === 'local' ? 'local' : 'aws';
export const expectedEnvironment = stage === 'local' ? 'Local (embedded platform)' : /staging/i;
