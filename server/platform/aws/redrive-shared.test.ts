import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { dynamoConsoleState } from '../../db/dynamo/state';
import type { RedriveStore } from '../../db/redrive-store';
import { startConsoleDynamo } from '../../db/testing/console-dynamo';
import { tempRedriveStore } from '../../db/testing/temp-redrive-store';
import { SELECTED_STALE_MS } from './redrive-registry';
import { callerOf, NOW, testConfig, testPlatform, transactionEnvelopeBody } from './testing';

/**
 * Two console tasks behind the load balancer: any of them may answer the next read or the cancel
 * of a redrive the other started. Each case runs with the redrive records in DynamoDB (dynalite,
 * the state table as deployed) and in SQLite (two connections to one console.db).
 */
const sqs = mockClient(SQSClient);
const config = testConfig();
const pair = config.queuePairs[0]!;
const operator = callerOf('operator', 'op-1');
const viewer = callerOf('viewer', 'viewer-2');

function dlqMessage(id: string): Message {
  return {
    MessageId: id,
    ReceiptHandle: `rh-${id}`,
    Body: transactionEnvelopeBody(`tx-${id}`),
    Attributes: { ApproximateReceiveCount: '4', SentTimestamp: String(NOW - 60_000) },
  };
}

let seq = 0;
/** Fresh storage per case, removed after it. */
const backends: [string, () => Promise<[RedriveStore, RedriveStore]>][] = [
  [
    'dynamodb',
    async () => {
      const dynamo = await startConsoleDynamo('ledgerline-redrive-shared');
      onTestFinished(() => dynamo.close());
      return [dynamoConsoleState(dynamo.config('a')).redrives, dynamoConsoleState(dynamo.config('b')).redrives];
    },
  ],
  [
    'sqlite',
    () => {
      const a = tempRedriveStore();
      onTestFinished(() => a.close());
      return Promise.resolve([a, a.share()]);
    },
  ],
];

beforeEach(() => {
  sqs.reset();
  sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [] });
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '5' } });
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });
  sqs.on(DeleteMessageCommand).resolves({});
});

/** Two adapters (console tasks) over one store, each with its own clock; ids differ per case. */
async function twoTasks(open: () => Promise<[RedriveStore, RedriveStore]>) {
  const [storeA, storeB] = await open();
  const tag = `c${++seq}`;
  const a = testPlatform(config, { redriveStore: storeA, randomId: () => `${tag}a${++seq}` });
  const b = testPlatform(config, { redriveStore: storeB, randomId: () => `${tag}b${++seq}` });
  return { a, b };
}

/** ReceiveMessage answers only when released: the run stays RUNNING meanwhile. */
function gatedReceive(messages: Message[]) {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  sqs
    .on(ReceiveMessageCommand)
    .callsFakeOnce(async () => {
      await gate;
      return { Messages: messages };
    })
    .resolves({ Messages: [] });
  return () => open();
}

describe.each(backends)('redrives shared by two console tasks (%s)', (_name, open) => {
  it('a selected redrive started on one task is listed, followed and cancelled from the other', async () => {
    const { a, b } = await twoTasks(open);
    const release = gatedReceive([dlqMessage('m1'), dlqMessage('m2')]);
    const task = await a.platform.startRedrive(operator, { queueId: 'processing', messageIds: ['m1', 'm2'] });
    await vi.waitFor(() => expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(1));

    const listed = await b.platform.listRedrives(viewer, { queueId: 'processing' });
    expect(listed.items.map((t) => [t.id, t.status, t.startedBy, t.total])).toEqual([[task.id, 'RUNNING', 'op-1', 2]]);
    expect(await b.platform.getRedrive(viewer, task.id)).toMatchObject({ status: 'RUNNING', selection: 'selected' });
    // Only one selected redrive per DLQ, whichever task runs it.
    await expect(
      b.platform.startRedrive(operator, { queueId: 'processing', messageIds: ['m3'] }),
    ).rejects.toMatchObject({ code: 'Conflict' });

    expect(await b.platform.cancelRedrive(operator, task.id)).toMatchObject({ status: 'CANCELLING' });
    await expect(b.platform.cancelRedrive(operator, task.id)).rejects.toMatchObject({ code: 'Conflict' });
    release();
    // The runner, on the other task, read the cancel from its next write and moved nothing.
    await vi.waitFor(async () => expect((await b.platform.getRedrive(viewer, task.id))?.status).toBe('CANCELLED'));
    expect(await a.platform.getRedrive(viewer, task.id)).toMatchObject({ status: 'CANCELLED', moved: 0 });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    // The two messages it held are handed back to the DLQ at once.
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0]!.args[0].input.Entries).toHaveLength(2);
  });

  it('shows the progress and the moved transactions the runner recorded, on the other task', async () => {
    const { a, b } = await twoTasks(open);
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [dlqMessage('m1'), dlqMessage('m2'), dlqMessage('m3')] })
      .resolves({ Messages: [] });
    const task = await a.platform.startRedrive(operator, { queueId: 'processing', messageIds: ['m1', 'm3'] });
    await vi.waitFor(async () => expect((await b.platform.getRedrive(viewer, task.id))?.status).toBe('COMPLETED'));
    const done = await b.platform.getRedrive(viewer, task.id);
    expect(done).toMatchObject({ moved: 2, total: 2, failureReason: null, startedBy: 'op-1' });
    expect(done?.endedAt).not.toBeNull();
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.MessageBody)).toEqual([
      transactionEnvelopeBody('tx-m1'),
      transactionEnvelopeBody('tx-m3'),
    ]);
  });

  it('ends a run whose console task stopped FAILED, once, and the runner cannot overwrite it', async () => {
    const { a, b } = await twoTasks(open);
    const release = gatedReceive([dlqMessage('m1')]);
    const task = await a.platform.startRedrive(operator, { queueId: 'processing', messageIds: ['m1'] });
    await vi.waitFor(() => expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(1));
    // Task a is silent from here on (as if stopped); within the allowance the run stands.
    b.advance(SELECTED_STALE_MS - 5_000);
    expect(await b.platform.getRedrive(viewer, task.id)).toMatchObject({ status: 'RUNNING' });
    b.advance(10_000);
    const failed = await b.platform.getRedrive(viewer, task.id);
    expect(failed).toMatchObject({ status: 'FAILED', moved: 0 });
    expect(failed?.failureReason).toMatch(
      /console task running this redrive stopped \(last heard from at .*\) after moving at least 0 of 1/,
    );
    expect(failed?.failureReason).toContain('became visible in the DLQ again at most');
    // The end is the last sign of life, not the moment it was noticed.
    expect(failed?.endedAt).toBe(new Date(NOW).toISOString());
    // A second task reading it later does not end it again.
    b.advance(60_000);
    expect((await b.platform.listRedrives(viewer, { queueId: 'processing' })).items[0]).toMatchObject({
      status: 'FAILED',
      failureReason: failed?.failureReason,
    });

    // Task a was only slow: its runner learns from its next write that the run is over, and stops.
    release();
    await vi.waitFor(() => expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)).toHaveLength(1));
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(await a.platform.getRedrive(viewer, task.id)).toMatchObject({
      status: 'FAILED',
      failureReason: failed?.failureReason,
    });
  });

  it('a message-move task started on one task is known by id and starter on the other, even once SQS lists it without its handle', async () => {
    const { a, b } = await twoTasks(open);
    const handle = `handle-${++seq}`;
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: handle });
    // A small DLQ: moved before anyone lists it; SQS lists a handle only while RUNNING.
    sqs.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          Status: 'COMPLETED',
          SourceArn: pair.dlqArn,
          ApproximateNumberOfMessagesMoved: 5,
          ApproximateNumberOfMessagesToMove: 5,
          StartedTimestamp: NOW,
        },
      ],
    });
    const started = await a.platform.startRedrive(operator, { queueId: 'processing' });
    expect(started.id).toBe(handle);
    const listed = await b.platform.listRedrives(viewer, { queueId: 'processing' });
    expect(listed.items.map((t) => [t.id, t.status, t.startedBy])).toEqual([[handle, 'COMPLETED', 'op-1']]);
    expect(await b.platform.getRedrive(viewer, handle)).toMatchObject({ status: 'COMPLETED', moved: 5 });
  });
});
