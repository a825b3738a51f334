import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, OverLimit, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { freshnessSchema, staleAsOf } from '../platform.schema';
import { PlatformError } from '../port';
import { createAwsPlatform } from './adapter';
import type { AwsClients } from './clients';
import { fakeStackConfig } from './contract-fake-config';
import { MAX_STALE_MS, READ_TTL_MS, ReadCache } from './read-cache';
import { withReadCache } from './read-cache-clients';
import { testRedriveStore } from './testing';

const cw = mockClient(CloudWatchClient);
const sqs = mockClient(SQSClient);
const REGION = 'us-east-1';
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const url = 'https://sqs.us-east-1.amazonaws.com/111122223333/ledgerline-staging-processing-dlq';

function clients(): AwsClients {
  const common = { region: REGION, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } };
  return {
    sqs: new SQSClient(common),
    cloudwatch: new CloudWatchClient(common),
    events: new EventBridgeClient(common),
    sfn: new SFNClient(common),
    dynamodb: DynamoDBDocumentClient.from(new DynamoDBClient(common)),
  };
}

/** A promise the test settles. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

let clock = T0;
let cache: ReadCache;
const raw = clients();
const as = (role: string, onStale?: (t: number) => void) =>
  withReadCache(raw, cache, { region: REGION, role }, onStale);
const depth = (aws: AwsClients) =>
  aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));

beforeEach(() => {
  cw.reset();
  sqs.reset();
  clock = T0;
  cache = new ReadCache({ now: () => clock });
});

describe('the read cache', () => {
  it('sends one call for N concurrent identical reads and gives every caller its answer', async () => {
    const answer = deferred<{ Attributes: Record<string, string> }>();
    sqs.on(GetQueueAttributesCommand).callsFake(() => answer.promise);
    const readers = Array.from({ length: 25 }, (_, i) => depth(as('viewer')).then((r) => [i, r] as const));
    answer.resolve({ Attributes: { ApproximateNumberOfMessages: '42' } });
    const results = await Promise.all(readers);
    expect(sqs.commandCalls(GetQueueAttributesCommand)).toHaveLength(1);
    expect(results.map(([, r]) => r.Attributes?.ApproximateNumberOfMessages)).toEqual(Array(25).fill('42'));
    expect(cache.stats).toMatchObject({ calls: 1, joined: 24 });
  });

  it('keeps a result for its kind TTL from the moment its call was sent, then reads again', async () => {
    sqs
      .on(GetQueueAttributesCommand)
      .resolvesOnce({ Attributes: { ApproximateNumberOfMessages: '1' } })
      .resolves({
        Attributes: { ApproximateNumberOfMessages: '2' },
      });
    expect((await depth(as('viewer'))).Attributes?.ApproximateNumberOfMessages).toBe('1');
    clock = T0 + READ_TTL_MS.queues - 1;
    expect((await depth(as('viewer'))).Attributes?.ApproximateNumberOfMessages).toBe('1');
    clock = T0 + READ_TTL_MS.queues;
    expect((await depth(as('viewer'))).Attributes?.ApproximateNumberOfMessages).toBe('2');
    expect(sqs.commandCalls(GetQueueAttributesCommand)).toHaveLength(2);
  });

  it("counts the TTL from the start of the port call that read it, so one poll's reads expire together", async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '3' } });
    const poll = withReadCache(raw, cache, { region: REGION, role: 'viewer', since: T0 });
    clock = T0 + 800; // read late in the poll's chain
    await depth(poll);
    clock = T0 + READ_TTL_MS.queues; // the next poll: expired, although the read is younger than the TTL
    await depth(as('viewer'));
    expect(sqs.commandCalls(GetQueueAttributesCommand)).toHaveLength(2);
  });

  it('shares a result among the operators of one role, never with another role', async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '7' } });
    await Promise.all([depth(as('operator')), depth(as('operator')), depth(as('viewer')), depth(as('admin'))]);
    await depth(as('viewer'));
    expect(sqs.commandCalls(GetQueueAttributesCommand)).toHaveLength(3);
    // A role whose own read is denied gets the denial, not another role's cached data.
    sqs.on(GetQueueAttributesCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(depth(as('approver'))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('answers a throttled read with the last good value, marked stale with its time', async () => {
    const stale: number[] = [];
    sqs.on(GetQueueAttributesCommand).resolvesOnce({ Attributes: { ApproximateNumberOfMessages: '5' } });
    await depth(as('viewer'));
    clock = T0 + 30_000;
    sqs.on(GetQueueAttributesCommand).rejects(new OverLimit({ message: 'too many', $metadata: {} }));
    const again = await depth(as('viewer', (t) => stale.push(t)));
    expect(again.Attributes?.ApproximateNumberOfMessages).toBe('5');
    expect(stale).toEqual([T0]);
    // Nothing good to fall back on: another role, or a value older than MAX_STALE_MS, gets the error.
    await expect(depth(as('operator'))).rejects.toMatchObject({ name: 'OverLimit' });
    clock = T0 + MAX_STALE_MS + 1;
    await expect(depth(as('viewer'))).rejects.toMatchObject({ name: 'OverLimit' });
  });

  it('does not serve stale data for errors other than throttling', async () => {
    sqs.on(GetQueueAttributesCommand).resolvesOnce({ Attributes: {} });
    await depth(as('viewer'));
    clock = T0 + 10_000;
    sqs.on(GetQueueAttributesCommand).rejects(Object.assign(new Error('gone'), { name: 'QueueDoesNotExist' }));
    await expect(depth(as('viewer'))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });

  it('never caches a write, and a write invalidates its service reads for every role', async () => {
    sqs
      .on(GetQueueAttributesCommand)
      .resolvesOnce({ Attributes: { ApproximateNumberOfMessages: '9' } })
      .resolves({
        Attributes: { ApproximateNumberOfMessages: '0' },
      });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'h1' });
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    await Promise.all([depth(as('viewer')), as('viewer').cloudwatch.send(new DescribeAlarmsCommand({}))]);
    const start = () => as('operator').sqs.send(new StartMessageMoveTaskCommand({ SourceArn: 'arn:aws:sqs:x' }));
    await start();
    await start();
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(2);
    expect((await depth(as('viewer'))).Attributes?.ApproximateNumberOfMessages).toBe('0');
    // Other services' reads stay cached.
    await as('viewer').cloudwatch.send(new DescribeAlarmsCommand({}));
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(1);
  });

  it('does not keep a read that was in flight while a write ran', async () => {
    const before = deferred<{ Attributes: Record<string, string> }>();
    sqs
      .on(GetQueueAttributesCommand)
      .callsFakeOnce(() => before.promise)
      .resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'h1' });
    const early = depth(as('viewer'));
    await as('operator').sqs.send(new StartMessageMoveTaskCommand({ SourceArn: 'arn:aws:sqs:x' }));
    before.resolve({ Attributes: { ApproximateNumberOfMessages: '9' } });
    expect((await early).Attributes?.ApproximateNumberOfMessages).toBe('9');
    expect((await depth(as('viewer'))).Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  it('shares metric reads over "the last N minutes" whose windows differ by a poll, not other windows', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const window = (end: number, minutes: number) =>
      as('viewer').cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(end - minutes * 60_000),
          EndTime: new Date(end),
          MetricDataQueries: [{ Id: 'm0', MetricStat: { Metric: { MetricName: 'x' }, Period: 60, Stat: 'Sum' } }],
        }),
      );
    await window(T0, 60);
    clock = T0 + 1_500;
    await window(T0 + 1_500, 60);
    await window(T0 + 1_500, 30);
    await window(T0 - 86_400_000, 60);
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(3);
  });
});

describe('the adapter with its read cache', () => {
  const viewer = { id: 'v-1', name: 'Viewer', role: 'viewer' as const };

  it('marks the alarms it answered from the cache under throttling with the time of that data', async () => {
    const config = fakeStackConfig('staging', REGION);
    const platform = createAwsPlatform(config, {
      redriveStore: testRedriveStore(),
      clientsFor: () => raw,
      readCache: cache,
      now: () => clock,
    });
    cw.on(DescribeAlarmsCommand).resolvesOnce({
      MetricAlarms: [
        {
          AlarmName: 'ledgerline-staging-processing-dlq-depth',
          StateValue: 'ALARM',
          StateReason: 'Threshold Crossed',
          StateUpdatedTimestamp: new Date(T0 - 60_000),
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 1,
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Namespace: 'AWS/SQS',
          Statistic: 'Maximum',
          Period: 60,
        },
      ],
    });
    const fresh = await platform.listAlarms(viewer, {});
    expect(fresh[0]).not.toHaveProperty('freshness');
    clock = T0 + 20_000;
    cw.on(DescribeAlarmsCommand).rejects(throttled());
    const served = await platform.listAlarms(viewer, {});
    expect(served.map((a) => a.name)).toEqual(fresh.map((a) => a.name));
    const freshness = freshnessSchema.parse((served[0] as { freshness?: unknown }).freshness);
    expect(freshness.asOf).toBe(new Date(T0).toISOString());
    expect(staleAsOf({ regions: [{ firingAlarms: served }] })).toBe(freshness.asOf);
    // Without a last good value the throttling is the port's Throttled error.
    await expect(platform.listAlarms({ ...viewer, role: 'admin' }, {})).rejects.toBeInstanceOf(PlatformError);
  });
});
