import 'server-only';
import * as cw from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as eb from '@aws-sdk/client-eventbridge';
import * as sfn from '@aws-sdk/client-sfn';
import * as sqs from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { sagaIdFor } from '../../../infra/platform/layout';
import type { Role } from '../../auth/permissions.schema';
import type { AwsClients } from './clients';
import type { AwsPlatformConfig } from './config';
import { FakeClock } from './contract-fake-clock';
import { FakeCloudWatch } from './contract-fake-cloudwatch';
import { archivedEvents, startFakeDynamo } from './contract-fake-dynamo';
import { FakeEvents } from './contract-fake-events';
import { FakeSfn } from './contract-fake-sfn';
import type { SagaPlan } from './contract-fake-sfn-history';
import { FakeSqs } from './contract-fake-sqs';
import { queueNameFromUrl } from './queue-mappers';

/**
 * A stateful fake AWS behind aws-sdk-client-mock for one deployed stack: SQS, CloudWatch,
 * EventBridge and Step Functions in memory (contract-fake-*.ts) on one clock, DynamoDB on a
 * DynamoDB-compatible server (dynalite), STS answering AssumeRole and GetCallerIdentity. Every
 * mocked call takes `latencyMs` of real time (default 1 ms), so background work interleaves as
 * against AWS, and moves the world's clock by `worldLatencyMs` (default 40 ms), so visibility
 * timeouts, replays and executions progress with the calls made, as they would against AWS.
 */

export interface FakeAwsWorld {
  clock: FakeClock;
  sqs: FakeSqs;
  sfn: FakeSfn;
  /** SDK clients as a role's session would have them (DynamoDB on the fake server). */
  clientsFor(role: Role): AwsClients;
  consoleSts: STSClient;
  /** Ids of the sagas the world was seeded with, by plan kind. */
  sagas: Record<SagaPlan['kind'], string[]>;
  close(): Promise<void>;
}

type Handler = (input: never) => unknown;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each SDK client's mock has its own command union
type AnyMock = { on(command: any): { callsFake(fn: (input: any) => unknown): unknown }; restore(): void };

export interface FakeAwsOptions {
  /** Real milliseconds each call takes (default 1). */
  latencyMs?: number | (() => number);
  /** Called with `<Service>:<Command>` for every call the world answers (benchmarks count them). */
  onCall?: (command: string) => void;
  /**
   * World time each call takes (default 40 ms, an AWS round trip): the world's clock moves on with
   * the calls made to it, as AWS's would while they travel, not only with real time.
   */
  worldLatencyMs?: number;
}

function router(options: FakeAwsOptions, clock: FakeClock) {
  const latency = options.latencyMs ?? 1;
  const worldLatency = options.worldLatencyMs ?? 40;
  return (service: string, mock: AnyMock, routes: [{ name: string }, Handler][]): AnyMock => {
    for (const [command, handler] of routes) {
      const name = `${service}:${command.name.replace(/Command$/, '')}`;
      mock.on(command).callsFake(async (input: unknown) => {
        options.onCall?.(name);
        await new Promise((resolve) => setTimeout(resolve, typeof latency === 'number' ? latency : latency()));
        clock.advance(worldLatency);
        return handler(input as never);
      });
    }
    return mock;
  };
}

const transaction = (n: number, at: number) => ({
  transactionId: `tx-${n}`,
  fromAccount: `acc-${n % 7}`,
  toAccount: `acc-${(n + 3) % 7}`,
  amount: 1_000 + n * 25,
  currency: 'EUR',
  createdAt: new Date(at).toISOString(),
});

export async function startFakeAwsWorld(
  config: AwsPlatformConfig,
  options: FakeAwsOptions = {},
): Promise<FakeAwsWorld> {
  const clock = new FakeClock();
  const route = router(options, clock);
  const account = config.stateMachineArn.split(':')[4] ?? '111122223333';
  const events = archivedEvents(clock.now(), 3, 90_000);
  const dynamo = await startFakeDynamo(config, {
    events,
    applied: events.filter((_, i) => i % 3 === 0).map((e) => e.transactionId),
    accounts: 12,
  });
  const fakeSqs = new FakeSqs(clock, config.region, account);
  for (const pair of config.queuePairs) {
    const dlq = queueNameFromUrl(pair.dlqUrl);
    const source = queueNameFromUrl(pair.sourceUrl);
    fakeSqs.createQueue(dlq);
    fakeSqs.createQueue(source, dlq);
    for (let i = 0; i < 7; i++) {
      const tx = transaction(500 + i, clock.now());
      const body =
        i === 6
          ? '<transaction id="tx-poison">not json</transaction>'
          : JSON.stringify({
              version: '0',
              id: `evt-dl-${i}`,
              source: 'transaction.processing',
              'detail-type': 'TransactionSubmitted',
              time: tx.createdAt,
              detail: tx,
            });
      fakeSqs.deadLetter(
        dlq,
        source,
        body,
        i === 6 ? 'SyntaxError: Unexpected token <' : 'InsufficientFundsError',
        clock.now() - (30 - i) * 60_000,
      );
    }
  }
  const fakeSfn = new FakeSfn(clock, config.stateMachineArn);
  const sagas: FakeAwsWorld['sagas'] = {
    succeeds: [],
    fails: [],
    'stops-at': [],
    'stops-compensating': [],
    'compensation-mode': [],
  };
  for (let n = 0; n < 14; n++) {
    const agoMs = (n + 1) * 3 * 60_000;
    const plan: SagaPlan =
      n % 7 === 1
        ? { kind: 'fails', at: 'SettlePayment' }
        : n % 7 === 3
          ? { kind: 'stops-at', at: 'PostLedger' }
          : n % 7 === 5
            ? { kind: 'stops-compensating', at: 'SettlePayment' }
            : { kind: 'succeeds' };
    const tx = transaction(n, clock.now() - agoMs);
    const id = sagaIdFor(tx.transactionId);
    fakeSfn.seed(id, JSON.stringify({ sagaId: id, transaction: tx }), agoMs, plan);
    sagas[plan.kind].push(id);
  }
  const fakeCw = new FakeCloudWatch(clock, config, account);
  const fakeEvents = new FakeEvents(clock, config, events.length);
  fakeEvents.seedReplay(
    'ledgerline-staging-replay-seeded',
    `ledgerline:${JSON.stringify({ by: 'op-7', pattern: null, total: 20 })}`,
    3_600_000,
  );
  fakeEvents.seedReplay('console-replay-by-hand', undefined, 7_200_000);

  const mocks: AnyMock[] = [
    route('SQS', mockClient(sqs.SQSClient), [
      [sqs.GetQueueAttributesCommand, (i) => fakeSqs.getQueueAttributes(i)],
      [sqs.ReceiveMessageCommand, (i) => fakeSqs.receiveMessage(i)],
      [sqs.SendMessageCommand, (i) => fakeSqs.sendMessage(i)],
      [sqs.DeleteMessageCommand, (i) => fakeSqs.deleteMessage(i)],
      [sqs.ChangeMessageVisibilityBatchCommand, (i) => fakeSqs.changeMessageVisibilityBatch(i)],
      [sqs.StartMessageMoveTaskCommand, (i) => fakeSqs.startMessageMoveTask(i)],
      [sqs.ListMessageMoveTasksCommand, (i) => fakeSqs.listMessageMoveTasks(i)],
      [sqs.CancelMessageMoveTaskCommand, (i) => fakeSqs.cancelMessageMoveTask(i)],
    ]),
    route('CloudWatch', mockClient(cw.CloudWatchClient), [
      [cw.DescribeAlarmsCommand, (i) => fakeCw.describeAlarms(i)],
      [cw.DescribeAlarmHistoryCommand, (i) => fakeCw.describeAlarmHistory(i)],
      [cw.GetMetricDataCommand, (i) => fakeCw.getMetricData(i)],
    ]),
    route('EventBridge', mockClient(eb.EventBridgeClient), [
      [eb.DescribeEventBusCommand, (i) => fakeEvents.describeEventBus(i)],
      [eb.DescribeArchiveCommand, (i) => fakeEvents.describeArchive(i)],
      [eb.StartReplayCommand, (i) => fakeEvents.startReplay(i)],
      [eb.DescribeReplayCommand, (i) => fakeEvents.describeReplay(i)],
      [eb.ListReplaysCommand, (i) => fakeEvents.listReplays(i)],
      [eb.CancelReplayCommand, (i) => fakeEvents.cancelReplay(i)],
    ]),
    route('SFN', mockClient(sfn.SFNClient), [
      [sfn.DescribeExecutionCommand, (i) => fakeSfn.describeExecution(i)],
      [sfn.ListExecutionsCommand, (i) => fakeSfn.listExecutions(i)],
      [sfn.GetExecutionHistoryCommand, (i) => fakeSfn.getExecutionHistory(i)],
      [sfn.StartExecutionCommand, (i) => fakeSfn.startExecution(i)],
      [sfn.RedriveExecutionCommand, (i) => fakeSfn.redriveExecution(i)],
    ]),
    route('STS', mockClient(STSClient), [
      [
        GetCallerIdentityCommand,
        () => ({
          UserId: 'AROACONSOLE:task',
          Account: account,
          Arn: `arn:aws:sts::${account}:assumed-role/console/task`,
        }),
      ],
      [
        AssumeRoleCommand,
        () => ({
          Credentials: {
            AccessKeyId: 'ASIAFAKE',
            SecretAccessKey: 'fake',
            SessionToken: 'fake',
            Expiration: new Date(clock.now() + 900_000),
          },
        }),
      ],
    ]),
  ];

  const byRole = new Map<Role, AwsClients>();
  return {
    clock,
    sqs: fakeSqs,
    sfn: fakeSfn,
    sagas,
    consoleSts: new STSClient({ region: config.region }),
    clientsFor(role) {
      let c = byRole.get(role);
      if (!c) {
        const common = {
          region: config.region,
          credentials: { accessKeyId: `ASIA${role.toUpperCase()}`, secretAccessKey: 'fake', sessionToken: role },
        };
        c = {
          sqs: new sqs.SQSClient(common),
          cloudwatch: new cw.CloudWatchClient(common),
          events: new eb.EventBridgeClient(common),
          sfn: new sfn.SFNClient(common),
          dynamodb: DynamoDBDocumentClient.from(new DynamoDBClient({ ...common, endpoint: dynamo.endpoint }), {
            marshallOptions: { removeUndefinedValues: true },
          }),
        };
        byRole.set(role, c);
      }
      return c;
    },
    async close() {
      for (const m of mocks) m.restore();
      for (const c of byRole.values()) for (const client of Object.values(c) as { destroy(): void }[]) client.destroy();
      await dynamo.close();
    },
  };
}
