import 'server-only';
import { randomUUID } from 'node:crypto';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { can, type Caller, type Permission } from '../../auth/permissions.schema';
import { listDeadLettersInput, listPageInput, listSagasInput, metricQueryInput } from '../inputs.schema';
import { PlatformError, type Platform } from '../port';
import { createClientsFor, type ClientsFor, type Ctx } from './clients';
import { awsPlatformConfigSchema, type AwsPlatformConfig } from './config';
import { createRoleCredentials, type RoleCredentials } from './credentials';
import { getLedgerSummary } from './ledger';
import { getAlarm, getMetricSeries, listAlarms, listRegions } from './observability';
import {
  cancelRedrive,
  getRedrive,
  listDeadLetters,
  listQueuePairs,
  listRedrives,
  RedriveRegistry,
  startRedrive,
} from './queues';
import {
  cancelReplay,
  countIndexedEvents,
  getReplay,
  listArchives,
  listReplays,
  previewReplay,
  ReplayDescriptions,
  startReplay,
} from './replays';
import { compensate, getSaga, listSagas, previewCompensation } from './sagas';

export type { AwsPlatformConfig } from './config';
export { loadAwsPlatformConfig } from './config';

export interface AwsPlatformDeps {
  /** SDK clients for a caller (default: clients signed with the caller's role session via STS AssumeRole). */
  clientsFor?: ClientsFor;
  /** Role-session cache (default: createRoleCredentials with the config's role ARNs). */
  credentials?: RoleCredentials;
  /** STS client with the console's own credentials, for ping (default: default provider chain). */
  consoleSts?: STSClient;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  randomId?: () => string;
  /** Visibility timeout of dead-letter "peeks" (ReceiveMessage): see queues.ts. Default 2 s. */
  peekVisibilitySeconds?: number;
}

/**
 * The Platform port on AWS. Every call checks the permission matrix first (no AWS call, not even
 * STS, for a caller whose role lacks the permission) and then calls AWS with the credentials of
 * the caller's role (STS AssumeRole, SourceIdentity = operator id), so IAM enforces it a second time.
 */
export function createAwsPlatform(config: AwsPlatformConfig, deps: AwsPlatformDeps = {}): Platform {
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
  const redrives = new RedriveRegistry();
  let consoleSts: STSClient | undefined;
  const replayDescriptions = new ReplayDescriptions();

  /** Permission first, then the caller's clients. */
  function ctx(caller: Caller, permission: Permission): Ctx {
    if (!can(caller.role, permission)) {
      throw new PlatformError('Forbidden', `role ${caller.role} does not have the ${permission} permission`);
    }
    return { config: cfg, aws: clients(caller), caller, now, sleep, randomId };
  }
  // Sync throws (Forbidden) become rejections, like every other failure of the port.
  const run = async <T>(caller: Caller, permission: Permission, fn: (c: Ctx) => Promise<T>): Promise<T> =>
    fn(ctx(caller, permission));

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

    listRegions: (caller) => run(caller, 'platform.read', (c) => listRegions(c)),
    listAlarms: (caller, input) => run(caller, 'platform.read', (c) => listAlarms(c, input)),
    getAlarm: (caller, name) => run(caller, 'platform.read', (c) => getAlarm(c, name)),
    listQueuePairs: (caller) => run(caller, 'platform.read', (c) => listQueuePairs(c)),
    listDeadLetters: (caller, input) =>
      run(caller, 'platform.read', (c) => listDeadLetters(c, listDeadLettersInput.parse(input), peek)),
    listRedrives: (caller, input) =>
      run(caller, 'platform.read', (c) =>
        listRedrives(c, redrives, { ...listPageInput.parse(input), queueId: input.queueId }),
      ),
    getRedrive: (caller, id) =>
      run(caller, 'platform.read', async (c) => (await getRedrive(c, redrives, id))?.task ?? null),
    listArchives: (caller) => run(caller, 'platform.read', (c) => listArchives(c)),
    listReplays: (caller, input) =>
      run(caller, 'platform.read', (c) => listReplays(c, replayDescriptions, listPageInput.parse(input))),
    getReplay: (caller, name) => run(caller, 'platform.read', (c) => getReplay(c, name)),
    listSagas: (caller, input) => run(caller, 'platform.read', (c) => listSagas(c, listSagasInput.parse(input))),
    getSaga: (caller, id) => run(caller, 'platform.read', (c) => getSaga(c, id)),
    getMetricSeries: (caller, input) =>
      run(caller, 'platform.read', (c) => getMetricSeries(c, metricQueryInput.parse(input))),
    getLedgerSummary: (caller) => run(caller, 'platform.read', (c) => getLedgerSummary(c)),

    startRedrive: (caller, input) =>
      run(caller, 'queue.redrive', (c) => startRedrive(c, redrives, input, { peekVisibilitySeconds: peek })),
    cancelRedrive: (caller, id) => run(caller, 'queue.redrive.cancel', (c) => cancelRedrive(c, redrives, id)),
    previewReplay: (caller, input) => run(caller, 'archive.replay', (c) => previewReplay(c, input)),
    startReplay: (caller, input) =>
      run(caller, 'archive.replay', (c) =>
        startReplay(c, input, cfg.archiveIndexTable ? () => countIndexedEvents(c, input.window, input.pattern) : null),
      ),
    cancelReplay: (caller, name) => run(caller, 'archive.replay.cancel', (c) => cancelReplay(c, name)),
    previewCompensation: (caller, input) => run(caller, 'saga.compensate', (c) => previewCompensation(c, input)),
    compensate: (caller, input) => run(caller, 'saga.compensate', (c) => compensate(c, input)),
  };
}
