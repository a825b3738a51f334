import 'server-only';
import { DescribeAlarmHistoryCommand, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeArchiveCommand,
  DescribeEndpointCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  ListReplaysCommand,
} from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, ListMessageMoveTasksCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from './clients';
import type { ReadCache, ReadKind, ReadScope } from './read-cache';

/**
 * The SDK clients of one port call, reading through the region's ReadCache. Only the read model
 * goes through it (alarms, queue attributes, metric data, executions, and the bus, archive,
 * replay and message-move-task reads the overview polls); DynamoDB is never cached (the ledger
 * re-scans on purpose, BatchGetItem retries its UnprocessedKeys). Every other command of a cached
 * service is a write: sent as is, then (even when it failed: it may have happened) it invalidates
 * that service's reads. ReceiveMessage (a dead-letter peek) is neither. A cached answer is the SDK's
 * output object, shared by every caller of the role: callers read it, never mutate it.
 */

type Service = 'sqs' | 'cloudwatch' | 'events' | 'sfn';
type CommandClass = abstract new (...args: never[]) => object;

const reads: Record<Service, [CommandClass, ReadKind][]> = {
  cloudwatch: [
    [DescribeAlarmsCommand, 'alarms'],
    [DescribeAlarmHistoryCommand, 'alarms'],
    [GetMetricDataCommand, 'metrics'],
  ],
  sqs: [
    [GetQueueAttributesCommand, 'queues'],
    [ListMessageMoveTasksCommand, 'progress'],
  ],
  sfn: [
    [ListExecutionsCommand, 'executions'],
    [DescribeExecutionCommand, 'executions'],
    [GetExecutionHistoryCommand, 'executions'],
  ],
  events: [
    [DescribeEventBusCommand, 'platform'],
    [DescribeEndpointCommand, 'platform'],
    [DescribeArchiveCommand, 'platform'],
    [ListReplaysCommand, 'progress'],
    [DescribeReplayCommand, 'progress'],
  ],
};
const neutral: CommandClass[] = [ReceiveMessageCommand];

/** Which read a command is (null: a write, or neutral). */
export function readKindOf(service: Service, command: object): ReadKind | null {
  return reads[service].find(([C]) => command instanceof C)?.[1] ?? null;
}

type Send = (command: object, options?: unknown) => Promise<unknown>;

function cachedClient<C extends object>(
  client: C,
  service: Service,
  cache: ReadCache,
  scope: ReadScope,
  onStale: (asOfMs: number) => void,
): C {
  const send: Send = (command, options) => {
    const original = (Reflect.get(client, 'send') as Send).bind(client);
    const kind = readKindOf(service, command);
    if (kind) {
      const input = (command as { input?: unknown }).input;
      // One name per command class, also when a bundler renames the class.
      const name = reads[service].findIndex(([C]) => command instanceof C);
      return cache.read(scope, service, kind, { command: `${name}`, input }, () => original(command, options), onStale);
    }
    if (neutral.some((C) => command instanceof C)) return original(command, options);
    return (async () => {
      try {
        return await original(command, options);
      } finally {
        cache.invalidate(scope.region, service);
      }
    })();
  };
  return new Proxy(client, {
    get: (target, prop, receiver) => (prop === 'send' ? send : (Reflect.get(target, prop, receiver) as unknown)),
  });
}

/** `clients` reading through `cache` for a caller of `scope.role`; stale answers are reported to `onStale`. */
export function withReadCache(
  clients: AwsClients,
  cache: ReadCache,
  scope: ReadScope,
  onStale: (asOfMs: number) => void = () => {},
): AwsClients {
  return {
    sqs: cachedClient(clients.sqs, 'sqs', cache, scope, onStale),
    cloudwatch: cachedClient(clients.cloudwatch, 'cloudwatch', cache, scope, onStale),
    events: cachedClient(clients.events, 'events', cache, scope, onStale),
    sfn: cachedClient(clients.sfn, 'sfn', cache, scope, onStale),
    dynamodb: clients.dynamodb,
  };
}
