/**
 * Every AWS request the Lambdas send, recorded for the IAM evaluation (test/iam) with the
 * function's own execution role: each handler runs over mocked clients with the environment the
 * synthesized staging function gets (its Environment, intrinsics resolved for the recorded
 * account and region), through its success path and the failure paths that send other requests
 * (processor: an execution that already exists, a start that fails; every saga step and
 * compensation).
 */
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetEventSourceMappingCommand, LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CfnResolver, type CfnTemplate } from '../../test/iam/cfn-resolver';
import { consoleNamesFor } from '../platform/console';
import { namesFor } from '../platform/description';
import { compensationNames, stepNames } from '../saga/definition';
import { RECORDED_ACCOUNT as ACCOUNT, lambdaRequestRecorder, RECORDED_REGION as REGION } from '../test/aws-recorder';
import { synthesize } from '../test/synth';

const n = namesFor('staging');
const mocks = {
  S3Client: mockClient(S3Client),
  DynamoDBDocumentClient: mockClient(DynamoDBDocumentClient),
  DynamoDBClient: mockClient(DynamoDBClient),
  EventBridgeClient: mockClient(EventBridgeClient),
  SFNClient: mockClient(SFNClient),
  CloudWatchClient: mockClient(CloudWatchClient),
  SQSClient: mockClient(SQSClient),
  LambdaClient: mockClient(LambdaClient),
};
const { record } = lambdaRequestRecorder();
const context = {
  functionName: 'f',
  awsRequestId: 'r',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;
const transaction = {
  transactionId: 'tx-9',
  fromAccount: 'acc-a',
  toAccount: 'acc-b',
  amount: 900,
  currency: 'EUR',
  createdAt: '2026-01-01T00:00:00Z',
};

/** The Environment of each synthesized staging function, by function name suffix. */
const environments = new Map<string, Record<string, string>>();
beforeAll(() => {
  const { outdir } = synthesize({ stages: ['staging'], nag: false, console: true, context: { localSynth: true } });
  const assembly = new CloudAssembly(outdir);
  // The platform stack and, beside it, the console stack (its audit archiver).
  for (const stackName of [`${n.prefix}-${REGION}`, consoleNamesFor('staging').stackName(REGION)]) {
    const stack = assembly.stacks.find((s) => s.stackName === stackName);
    if (!stack) continue;
    const template = stack.template as CfnTemplate;
    const resolver = new CfnResolver(template, { account: ACCOUNT, region: REGION, stackName });
    for (const [id, r] of Object.entries(template.Resources)) {
      if (r.Type !== 'AWS::Lambda::Function') continue;
      const name = resolver.nameOf(id);
      if (!name.startsWith(`${n.prefix}-`)) continue;
      const vars = resolver.resolve(
        (r.Properties?.Environment as { Variables?: unknown } | undefined)?.Variables ?? {},
      );
      environments.set(name.slice(n.prefix.length + 1), vars as Record<string, string>);
    }
  }
});
function envOf(functionSuffix: string): Record<string, string> {
  const env = environments.get(functionSuffix);
  if (!env) throw new Error(`no synthesized function ${n.prefix}-${functionSuffix}`);
  return env;
}

beforeEach(() => {
  vi.resetModules();
  for (const m of Object.values(mocks)) m.reset();
  Object.assign(process.env, {
    STAGE: 'staging',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_REGION: REGION,
  });
});

async function load<H>(module: string, functionSuffix: string): Promise<H> {
  Object.assign(process.env, envOf(functionSuffix));
  const mod = (await import(module)) as { handler: H };
  return mod.handler;
}

describe('processor', () => {
  const sqsEvent = (id: string) => ({
    Records: [
      {
        messageId: id,
        receiptHandle: `rh-${id}`,
        body: JSON.stringify({
          version: '0',
          id: `evt-${id}`,
          source: 'transaction.processing',
          'detail-type': 'TransactionSubmitted',
          time: '2026-01-01T00:00:00Z',
          detail: { ...transaction, transactionId: id },
        }),
        attributes: {},
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:${n.queues[0]!.source}`,
        awsRegion: REGION,
      },
    ],
  });
  type Handler = (e: unknown, c: Context) => Promise<{ batchItemFailures: unknown[] }>;

  it('claims the transaction, starts its saga, completes the claim; reads an execution that already exists; releases a failed claim', async () => {
    const ddb = mocks.DynamoDBClient;
    ddb.on(PutItemCommand).resolves({});
    ddb.on(UpdateItemCommand).resolves({});
    ddb.on(DeleteItemCommand).resolves({});
    const sfn = mocks.SFNClient;
    sfn.on(StartExecutionCommand, { name: 'tx-1' }).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    sfn
      .on(StartExecutionCommand, { name: 'tx-2' })
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: 'arn:exec', status: 'RUNNING', input: '{}' });
    sfn
      .on(StartExecutionCommand, { name: 'tx-3' })
      .rejects(Object.assign(new Error('boom'), { name: 'ServiceUnavailable', $metadata: {} }));
    const handler = await load<Handler>('./processor', 'processor');
    for (const id of ['tx-1', 'tx-2', 'tx-3']) await handler(sqsEvent(id), context);
    expect(sfn.commandCalls(DescribeExecutionCommand).length).toBeGreaterThan(0);
    expect(ddb.commandCalls(PutItemCommand).length).toBeGreaterThan(0);
    expect(record('processor', mocks)).toBeGreaterThan(3);
  });
});

describe('saga tasks', () => {
  const kebab = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

  it.each([...stepNames, ...compensationNames])('%s', async (task) => {
    const doc = mocks.DynamoDBDocumentClient;
    doc.on(GetCommand).resolves({});
    doc
      .on(GetCommand, { Key: { pk: 'ACCOUNT#acc-a', sk: 'ACCOUNT' } })
      .resolves({ Item: { available: 100_000, currency: 'EUR' } });
    doc.on(PutCommand).resolves({});
    doc.on(UpdateCommand).resolves({});
    doc.on(TransactWriteCommand).resolves({});
    mocks.EventBridgeClient.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    const handler = await load<(e: unknown, c: Context) => Promise<unknown>>('./saga-task', `saga-${kebab(task)}`);
    await handler({ sagaId: 'tx-9', transaction, retryCount: 0, task }, context).catch((e: unknown) => e);
    expect(record(`saga-${kebab(task)}`, mocks)).toBeGreaterThan(0);
  });
});

describe('control functions', () => {
  it('visibility-timeout adjuster reads the in-flight p99 and sets the queue timeout', async () => {
    mocks.CloudWatchClient.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'p99', Values: [400] }] });
    mocks.SQSClient.on(GetQueueAttributesCommand).resolves({ Attributes: { VisibilityTimeout: '30' } });
    mocks.SQSClient.on(SetQueueAttributesCommand).resolves({});
    const handler = await load<() => Promise<unknown>>('./visibility-timeout-adjuster', 'visibility-adjuster');
    await handler();
    expect(mocks.SQSClient.commandCalls(SetQueueAttributesCommand).length).toBeGreaterThan(0);
    expect(record('visibility-adjuster', mocks)).toBeGreaterThan(0);
  });

  it('circuit breaker reads the downstream alarm and updates the processor mapping', async () => {
    mocks.CloudWatchClient.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ StateValue: 'ALARM' }] });
    mocks.LambdaClient.on(GetEventSourceMappingCommand).resolves({
      State: 'Enabled',
      ScalingConfig: { MaximumConcurrency: 23 },
      LastModified: new Date(),
    });
    mocks.LambdaClient.on(UpdateEventSourceMappingCommand).resolves({});
    const handler = await load<() => Promise<unknown>>('./circuit-breaker', 'circuit-breaker');
    await handler();
    expect(mocks.LambdaClient.commandCalls(UpdateEventSourceMappingCommand).length).toBeGreaterThan(0);
    expect(record('circuit-breaker', mocks)).toBeGreaterThan(2);
  });

  it('archive indexer writes the index item', async () => {
    mocks.DynamoDBDocumentClient.on(PutCommand).resolves({});
    const handler = await load<(e: unknown) => Promise<unknown>>('./archive-indexer', 'archive-indexer');
    await handler({
      version: '0',
      id: 'evt-1',
      source: 'transaction.processing',
      'detail-type': 'TransactionSubmitted',
      time: '2026-01-01T00:00:00Z',
      detail: transaction,
    });
    expect(record('archive-indexer', mocks)).toBe(1);
  });

  it('audit archiver copies a new audit entry to the Object Lock bucket', async () => {
    mocks.S3Client.on(PutObjectCommand).resolves({});
    const handler = await load<(e: unknown) => Promise<unknown>>('./audit-archiver', 'console-audit-archiver');
    await handler({
      Records: [
        {
          eventID: '1',
          eventName: 'INSERT',
          dynamodb: {
            Keys: { pk: { S: 'chain#w1' }, sk: { S: '000000000001' } },
            NewImage: { pk: { S: 'chain#w1' }, sk: { S: '000000000001' }, action: { S: 'replay.start' } },
            SequenceNumber: '1',
          },
        },
      ],
    });
    expect(mocks.S3Client.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(record('console-audit-archiver', mocks)).toBe(1);
  });
});
