import 'server-only';
import { namesFor, type Stage } from '../../../infra/platform/description';
import { roles } from '../../auth/permissions.schema';
import type { AwsPlatformConfig } from './config';

/** The account of the fake AWS world (contract harness, benchmarks). */
export const FAKE_ACCOUNT = '111122223333';

/**
 * The config a deployed single-region stack of `stage` would output (names from the platform
 * description), for the adapter on mocked clients: the contract harness and bench/console-aws.
 */
export function fakeStackConfig(stage: Stage, region: string, account = FAKE_ACCOUNT): AwsPlatformConfig {
  const n = namesFor(stage);
  const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;
  const queueUrl = (name: string) => `https://sqs.${region}.amazonaws.com/${account}/${name}`;
  return {
    stage,
    region,
    primaryRegion: region,
    secondaryRegion: null,
    queuePairs: n.queues.map((q) => ({
      id: q.id,
      sourceUrl: queueUrl(q.source),
      sourceArn: arn('sqs', q.source),
      dlqUrl: queueUrl(q.dlq),
      dlqArn: arn('sqs', q.dlq),
    })),
    bus: { name: n.busName, arn: arn('events', `event-bus/${n.busName}`) },
    archive: { name: n.archiveName, arn: arn('events', `archive/${n.archiveName}`) },
    replayRuleArns: n.queues.map((q) => arn('events', `rule/${n.busName}/${n.prefix}-${q.id}-route`)),
    stateMachineArn: arn('states', `stateMachine:${n.stateMachineName}`),
    sagaTable: null,
    idempotencyTable: n.idempotencyTable,
    ledgerTable: n.ledgerTable,
    archiveIndexTable: n.archiveIndexTable,
    globalEndpoint: null,
    operatorRoleArns: Object.fromEntries(
      roles.map((r) => [r, `arn:aws:iam::${account}:role/${n.prefix}-console-${r}`]),
    ) as AwsPlatformConfig['operatorRoleArns'],
  };
}
