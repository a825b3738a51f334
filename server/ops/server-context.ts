import 'server-only';
import { can, type Caller, type Permission } from '../auth/permissions.schema';
import { consoleState } from '../db/state';
import { env } from '../env';
import { getPlatform } from '../platform';
import type { Platform } from '../platform/port';
import { rearmWatchers } from './closed-loop';
import { createOpsContext, type OpsContext } from './context';

let server: Promise<OpsContext> | undefined;

/**
 * The Platform, resolved on a verb's first call (every port method is async): creating the
 * context never waits for the adapter, so a platform that cannot start yet (stack outputs
 * unreadable) fails only the calls that need it, and getPlatform retries it on the next one.
 */
function lazyPlatform(): Platform {
  return new Proxy({} as Platform, {
    get(_, name: string | symbol) {
      if (name === 'kind') return env.LEDGERLINE_BACKEND;
      if (name === 'then') return undefined; // not a thenable
      return async (...args: unknown[]) => {
        const platform = (await getPlatform()) as unknown as Record<string | symbol, (...a: unknown[]) => unknown>;
        return platform[name]!.apply(platform, args);
      };
    },
  });
}

async function create(): Promise<OpsContext> {
  const ctx = createOpsContext(
    lazyPlatform(),
    env.LEDGERLINE_DATA_DIR,
    env.LEDGERLINE_STAGE,
    Date.now,
    env.LEDGERLINE_BACKEND,
    consoleState(),
  );
  // The server owns the closed loop: running redrives are watched again after a restart. When
  // the platform cannot be read yet, the next request creates the context (and re-arms) again.
  if (!(await rearmWatchers(ctx))) server = undefined;
  return ctx;
}

/**
 * The server's ops context, created once per process (the route wrapper hands it to every verb).
 * Creating it re-arms the closed-loop watcher for every running redrive.
 */
export function getOpsContext(): Promise<OpsContext> {
  server ??= create().catch((error: unknown) => {
    server = undefined; // a failed start (e.g. platform unreachable) is retried on the next call
    throw error;
  });
  return server;
}

/** Tests: forget the server's context, as a console restart would (the next call creates it again). */
export function forgetOpsContext(): void {
  server = undefined;
}

/**
 * For server components that call verbs directly (the route wrapper authorizes API calls): the
 * server's ops context when the caller may `permission`, otherwise null.
 */
export async function opsFor(caller: Caller | null, permission: Permission): Promise<OpsContext | null> {
  if (!caller || !can(caller.role, permission)) return null;
  return getOpsContext();
}
