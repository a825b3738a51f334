import 'server-only';
import { randomUUID } from 'node:crypto';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Caller } from '../../auth/permissions.schema';
import type { RedriveStore } from '../../db/redrive-store';
import { listDeadLettersInput, listPageInput, listSagasInput, metricQueryInput } from '../inputs.schema';
import { authorizeCall, callPermission, type PlatformCall } from '../method-permissions';
import type { Platform } from '../port';
import { createClientsFor, type ClientsFor, type Ctx } from './clients';
import { awsPlatformConfigSchema, type AwsPlatformConfig } from './config';
import { createRoleCredentials, type RoleCredentials } from './credentials';
import { exportDeadLetters, listDeadLetters, removeDeadLetters } from './dead-letters';
import { listFailureClasses, searchDeadLetters } from './failure-index';
import { getLedgerSummary } from './ledger';
import { getAlarm, getMetricSeries, listAlarms, listRegions } from './observability';
import { listQueuePairs } from './queue-pairs';
import { ReadCache, withFreshness } from './read-cache';
import { withReadCache } from './read-cache-clients';
import { RedriveRegistry } from './redrive-registry';
import { cancelRedrive, getRedrive, listRedrives, startRedrive } from './redrives';
import { countIndexedEvents, previewReplay } from './replay-preview';
import { cancelReplay, getReplay, listArchives, listReplays, ReplayDescriptions, startReplay } from './replays';
import { listSagas } from './saga-list';
import { compensate, getSaga, previewCompensation } from './sagas';

export type { AwsPlatformConfig } from './config';
export { loadAwsPlatformConfig } from './config';

export interface AwsPlatformDeps {
  /**
   * The console's records of its redrives (server/db/redrive-store.ts), shared by every console
   * task: the state table's adapter in production (server/platform/index.ts).
   */
  redriveStore: RedriveStore;
  /** SDK clients for a caller (default: clients signed with the caller's role session via STS AssumeRole). */
  clientsFor?: ClientsFor;
  /** Role-session cache (default: createRoleCredentials with the config's role ARNs). */
  credentials?: RoleCredentials;
  /** STS client with the console's own credentials, for ping (default: default provider chain). */
  consoleSts?: STSClient;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  randomId?: () => string;
  /** Visibility timeout of dead-letter "peeks" (ReceiveMessage): see dead-letters.ts. Default 2 s. */
  peekVisibilitySeconds?: number;
  /**
   * The region's single-flight read cache (read-cache.ts); null: none. Default: a new one on `now`
   * when the adapter makes its own clients; none with injected `clientsFor` unless one is given.
   */
  readCache?: ReadCache | null;
}

/** The port's reads: their results carry `freshness` when the read cache answered a throttled read. */
const readCalls = new Set<PlatformCall>(
  Object.keys(callPermission).filter((c) => callPermission[c as PlatformCall] === 'platform.read') as PlatformCall[],
);

/**
 * The Platform port on AWS. Every call checks the permission matrix first (no AWS call, not even
 * STS, for a caller whose role lacks the permission) and then calls AWS with the credentials of
 * the caller's role (STS AssumeRole, SourceIdentity = operator id), so IAM enforces it a second time.
 */
export function createAwsPlatform(config: AwsPlatformConfig, deps: AwsPlatformDeps): Platform {
  const cfg = awsPlatformConfigSchema.parse(config);
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const randomId = deps.randomId ?? (() => randomUUID().replace(/-/g, ''));
  const peek = deps.peekVisibilitySeconds ?? 2;
  let clientsFor = deps.clientsFor;
  if (!clientsFor) {
    const credentials =
      deps.credentials ?? createRoleCredentials({ roleArns: cfg.operatorRoleArns, region: cfg.region, now });
    clientsFor = createClientsFor(cfg, credentials);
  }
  const clients = clientsFor;
  const redrives = new RedriveRegistry(deps.redriveStore);
  let consoleSts: STSClient | undefined;
  const replayDescriptions = new ReplayDescriptions();
  const readCache = deps.readCache !== undefined ? deps.readCache : deps.clientsFor ? null : new ReadCache({ now });

  /**
   * Permission first (the shared table, method-permissions.ts), then the caller's clients, reading
   * through the region's cache under the caller's ROLE (the credentials the reads are made with).
   */
  function ctx(caller: Caller, call: PlatformCall, onStale: (asOfMs: number) => void): Ctx {
    authorizeCall(caller, call);
    const own = clients(caller);
    const scope = { region: cfg.region, role: caller.role, since: now() };
    const aws = readCache ? withReadCache(own, readCache, scope, onStale) : own;
    return { config: cfg, aws, caller, now, sleep, randomId };
  }
  // Sync throws (Forbidden) become rejections, like every other failure of the port.
  const run = async <T>(caller: Caller, call: PlatformCall, fn: (c: Ctx) => Promise<T>): Promise<T> => {
    let asOf: number | null = null;
    const result = await fn(ctx(caller, call, (t) => (asOf = asOf === null ? t : Math.min(asOf, t))));
    return asOf !== null && readCalls.has(call) ? withFreshness(result, asOf) : result;
  };

  return {
    kind: 'aws',

    async ping() {
      consoleSts ??= deps.consoleSts ?? new STSClient({ region: cfg.region });
      const sts = consoleSts;
      try {
        await sts.send(new GetCallerIdentityCommand({}));
        // /api/health answers anyone (load balancer checks): no account id, no AWS message.
        return { ok: true, detail: `AWS ${cfg.region} answers (stage ${cfg.stage})` };
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        console.warn(
          JSON.stringify({
            msg: 'health: AWS did not answer',
            region: cfg.region,
            error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          }),
        );
        return { ok: false, detail: `AWS ${cfg.region} did not answer (${name}); the console's log has the detail` };
      }
    },

    listRegions: (caller) => run(caller, 'listRegions', (c) => listRegions(c)),
    listAlarms: (caller, input) => run(caller, 'listAlarms', (c) => listAlarms(c, input)),
    getAlarm: (caller, name) => run(caller, 'getAlarm', (c) => getAlarm(c, name)),
    listQueuePairs: (caller) => run(caller, 'listQueuePairs', (c) => listQueuePairs(c)),
    listDeadLetters: (caller, input) =>
      run(caller, 'listDeadLetters', (c) => listDeadLetters(c, listDeadLettersInput.parse(input), peek)),
    listFailureClasses: (caller, queueId) => run(caller, 'listFailureClasses', (c) => listFailureClasses(c, queueId)),
    searchDeadLetters: (caller, queueId, transactionId) =>
      run(caller, 'searchDeadLetters', (c) => searchDeadLetters(c, queueId, transactionId)),
    exportDeadLetters: (caller, queueId, classIds) =>
      run(caller, 'exportDeadLetters', (c) => exportDeadLetters(c, queueId, classIds)),
    listRedrives: (caller, input) =>
      run(caller, 'listRedrives', (c) =>
        listRedrives(c, redrives, { ...listPageInput.parse(input), queueId: input.queueId }),
      ),
    getRedrive: (caller, id) =>
      run(caller, 'getRedrive', async (c) => (await getRedrive(c, redrives, id))?.task ?? null),
    listArchives: (caller) => run(caller, 'listArchives', (c) => listArchives(c)),
    listReplays: (caller, input) =>
      run(caller, 'listReplays', (c) => listReplays(c, replayDescriptions, listPageInput.parse(input))),
    getReplay: (caller, name) => run(caller, 'getReplay', (c) => getReplay(c, name)),
    listSagas: (caller, input) => run(caller, 'listSagas', (c) => listSagas(c, listSagasInput.parse(input))),
    getSaga: (caller, id) => run(caller, 'getSaga', (c) => getSaga(c, id)),
    getMetricSeries: (caller, input) =>
      run(caller, 'getMetricSeries', (c) => getMetricSeries(c, metricQueryInput.parse(input))),
    getLedgerSummary: (caller) => run(caller, 'getLedgerSummary', (c) => getLedgerSummary(c)),

    startRedrive: (caller, input) =>
      run(caller, 'startRedrive', (c) => startRedrive(c, redrives, input, { peekVisibilitySeconds: peek })),
    cancelRedrive: (caller, id) => run(caller, 'cancelRedrive', (c) => cancelRedrive(c, redrives, id)),
    removeDeadLetters: (caller, queueId, messageIds) =>
      run(caller, 'removeDeadLetters', (c) => removeDeadLetters(c, queueId, messageIds)),
    previewReplay: (caller, input) => run(caller, 'previewReplay', (c) => previewReplay(c, input)),
    startReplay: (caller, input) =>
      run(caller, 'startReplay', (c) =>
        startReplay(c, input, cfg.archiveIndexTable ? () => countIndexedEvents(c, input.window, input.pattern) : null),
      ),
    cancelReplay: (caller, name) => run(caller, 'cancelReplay', (c) => cancelReplay(c, name)),
    previewCompensation: (caller, input) => run(caller, 'previewCompensation', (c) => previewCompensation(c, input)),
    compensate: (caller, input) => run(caller, 'compensate', (c) => compensate(c, input)),
  };
}
