import 'server-only';
/**
 * The local adapter: the whole Platform port on the embedded platform's SQLite database.
 * It reads directly (own connection, busy_timeout) and writes operators' commands as rows
 * the engine process picks up (redrive_tasks, replays, sagas.next_run_at). It never runs the
 * engine's loops itself, so the console stays fast whatever the load.
 *
 * This is its composition root: one module per resource, each given the shared context, and
 * the caller's permission checked once per call (the same table as the aws adapter).
 */
import type { Caller } from '@/server/auth/permissions.schema';
import type { Db } from '../../../infra/embedded/db';
import { authorizeCall, type PlatformCall } from '../method-permissions';
import type { Platform } from '../port';
import { createCompensation } from './compensation';
import { createLocalContext, type LocalPlatformOptions } from './context';
import { createLedger } from './ledger';
import { createObservability } from './observability';
import { createQueues } from './queues';
import { createRedrives } from './redrives';
import { createReplays } from './replays';
import { createSagas } from './sagas';
import { createTriage } from './triage';

export type { LocalPlatformOptions } from './context';

type LocalPlatform = Platform & { readonly db: Db };

function buildLocalPlatform(options: LocalPlatformOptions): LocalPlatform {
  const ctx = createLocalContext(options);
  const observability = createObservability(ctx);
  const queues = createQueues(ctx);
  const redrives = createRedrives(ctx);
  const replays = createReplays(ctx);
  const sagas = createSagas(ctx);
  const compensation = createCompensation(ctx, sagas);
  const ledger = createLedger(ctx);
  const triage = createTriage(ctx);

  // Permission first; a failure (Forbidden or any other) is a rejection, like every failure of the port.
  const run = <T>(caller: Caller, call: PlatformCall, fn: () => T): Promise<T> =>
    new Promise<T>((resolve) => {
      authorizeCall(caller, call);
      resolve(fn());
    });

  return {
    kind: 'local',
    db: ctx.db,
    ping: () => Promise.resolve(observability.ping()),

    listRegions: (caller) => run(caller, 'listRegions', () => observability.listRegions()),
    listAlarms: (caller, input) => run(caller, 'listAlarms', () => observability.listAlarms(input)),
    getAlarm: (caller, name) => run(caller, 'getAlarm', () => observability.getAlarm(name)),
    listQueuePairs: (caller) => run(caller, 'listQueuePairs', () => queues.listQueuePairs()),
    listDeadLetters: (caller, input) => run(caller, 'listDeadLetters', () => queues.listDeadLetters(input)),
    listFailureClasses: (caller, queueId) =>
      run(caller, 'listFailureClasses', () => triage.listFailureClasses(queueId)),
    searchDeadLetters: (caller, queueId, transactionId) =>
      run(caller, 'searchDeadLetters', () => triage.searchDeadLetters(queueId, transactionId)),
    exportDeadLetters: (caller, queueId, classIds) =>
      run(caller, 'exportDeadLetters', () => triage.exportDeadLetters(queueId, classIds)),
    listRedrives: (caller, input) => run(caller, 'listRedrives', () => redrives.listRedrives(input)),
    getRedrive: (caller, id) => run(caller, 'getRedrive', () => redrives.getRedrive(id)),
    listArchives: (caller) => run(caller, 'listArchives', () => replays.listArchives()),
    listReplays: (caller, input) => run(caller, 'listReplays', () => replays.listReplays(input)),
    getReplay: (caller, name) => run(caller, 'getReplay', () => replays.getReplay(name)),
    listSagas: (caller, input) => run(caller, 'listSagas', () => sagas.listSagas(input)),
    getSaga: (caller, id) => run(caller, 'getSaga', () => sagas.getSaga(id)),
    getMetricSeries: (caller, input) => run(caller, 'getMetricSeries', () => observability.getMetricSeries(input)),
    getLedgerSummary: (caller) => run(caller, 'getLedgerSummary', () => ledger.getLedgerSummary()),

    startRedrive: (caller, input) => run(caller, 'startRedrive', () => redrives.startRedrive(caller, input)),
    cancelRedrive: (caller, id) => run(caller, 'cancelRedrive', () => redrives.cancelRedrive(id)),
    removeDeadLetters: (caller, queueId, messageIds) =>
      run(caller, 'removeDeadLetters', () => triage.removeDeadLetters(queueId, messageIds)),
    previewReplay: (caller, input) => run(caller, 'previewReplay', () => replays.previewReplay(input)),
    startReplay: (caller, input) => run(caller, 'startReplay', () => replays.startReplay(caller, input)),
    cancelReplay: (caller, name) => run(caller, 'cancelReplay', () => replays.cancelReplay(name)),
    previewCompensation: (caller, input) =>
      run(caller, 'previewCompensation', () => compensation.previewCompensation(input)),
    compensate: (caller, input) => run(caller, 'compensate', () => compensation.compensate(caller, input)),
  };
}

const cache = ((globalThis as { __ledgerlineLocal?: Map<string, LocalPlatform> }).__ledgerlineLocal ??= new Map<
  string,
  LocalPlatform
>());

/** The local adapter, one cached instance per data directory (Next may import this module many times). */
export function createLocalPlatform(options: LocalPlatformOptions): Platform & { readonly db: Db } {
  if (options.clock) return buildLocalPlatform(options); // tests with their own clock get their own instance
  let p = cache.get(options.dataDir);
  if (!p || !p.db.open) {
    p = buildLocalPlatform(options);
    cache.set(options.dataDir, p);
  }
  return p;
}
