import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CancelMessageMoveTaskCommand,
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
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { deadLetterMessageSchema, queuePairSchema, redriveTaskSchema } from '../platform.schema';
import { createAwsPlatform } from './adapter';
import { createRoleCredentials } from './credentials';
import { callerOf, NOW, testConfig, testPlatform, testRedriveStore, transactionEnvelopeBody } from './testing';

const sqs = mockClient(SQSClient);
const cw = mockClient(CloudWatchClient);
const sts = mockClient(STSClient);
const config = testConfig();
const pair = config.queuePairs[0]!;
const operator = callerOf('operator', 'op-1');

const envelope = transactionEnvelopeBody;

function dlqMessage(id: string, body: string, lastError?: string): Message {
  return {
    MessageId: id,
    ReceiptHandle: `rh-${id}`,
    Body: body,
    Attributes: {
      ApproximateReceiveCount: '4',
      SentTimestamp: String(NOW - 3_600_000),
      ApproximateFirstReceiveTimestamp: String(NOW - 3_500_000),
      DeadLetterQueueSourceArn: pair.sourceArn,
    },
    MessageAttributes: lastError ? { lastError: { DataType: 'String', StringValue: lastError } } : {},
  };
}

beforeEach(() => {
  sqs.reset();
  cw.reset();
  sts.reset();
});

describe('queue pairs', () => {
  it('reports depths from GetQueueAttributes and the oldest age from CloudWatch ApproximateAgeOfOldestMessage', async () => {
    sqs.on(GetQueueAttributesCommand, { QueueUrl: pair.sourceUrl }).resolves({
      Attributes: {
        ApproximateNumberOfMessages: '42',
        ApproximateNumberOfMessagesNotVisible: '7',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: pair.dlqArn, maxReceiveCount: 3 }),
      },
    });
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: pair.dlqUrl })
      .resolves({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } });
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'age0', Values: [95, 60], Timestamps: [new Date(NOW - 60_000), new Date(NOW - 120_000)] },
        { Id: 'age1', Values: [400], Timestamps: [new Date(NOW - 60_000)] },
      ],
    });
    const { platform } = testPlatform();
    const [qp] = await platform.listQueuePairs(callerOf('viewer'));
    expect(queuePairSchema.parse(qp)).toEqual({
      id: 'processing',
      region: 'us-east-1',
      source: { name: 'ledgerline-staging-processing', visible: 42, inFlight: 7, oldestAgeSeconds: 95 },
      // An empty DLQ has no oldest message, whatever the lagging metric still says.
      dlq: { name: 'ledgerline-staging-processing-dlq', visible: 0, inFlight: 0, oldestAgeSeconds: 0 },
      maxReceiveCount: 3,
    });
    const query = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries?.[0];
    expect(query?.MetricStat).toEqual({
      Metric: {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: 'ledgerline-staging-processing' }],
      },
      Period: 60,
      Stat: 'Maximum',
    });
  });
});

describe('dead letters', () => {
  it('receives 10 at a time with a short visibility timeout and maps body, transaction id and our lastError attribute', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          dlqMessage('m1', envelope('tx-1'), 'TransientError: downstream timeout'),
          dlqMessage('m2', 'not json'),
        ],
      })
      .resolves({ Messages: [] });
    const { platform } = testPlatform();
    const page = await platform.listDeadLetters(callerOf('viewer'), { queueId: 'processing', limit: 25 });
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((m) => deadLetterMessageSchema.parse(m))).toHaveLength(2);
    expect(page.items[0]).toMatchObject({
      id: 'm1',
      queueId: 'processing',
      transactionId: 'tx-1',
      lastError: 'TransientError: downstream timeout',
      receiveCount: 4,
      sourceQueue: 'ledgerline-staging-processing',
      sentAt: new Date(NOW - 3_600_000).toISOString(),
    });
    expect(page.items[1]).toMatchObject({ id: 'm2', transactionId: null, lastError: null, body: 'not json' });
    const input = sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      QueueUrl: pair.dlqUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 2,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'],
    });
  });

  it('pages with a cursor that skips the messages already shown', async () => {
    const batch = (from: number) =>
      Array.from({ length: 2 }, (_, i) => dlqMessage(`m${from + i}`, envelope(`tx-${from + i}`)));
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: batch(1) })
      .resolvesOnce({ Messages: batch(1) })
      .resolvesOnce({ Messages: batch(3) })
      .resolves({ Messages: [] });
    const { platform } = testPlatform();
    const first = await platform.listDeadLetters(callerOf('viewer'), { queueId: 'processing', limit: 2 });
    expect(first.items.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(first.nextCursor).not.toBeNull();
    const second = await platform.listDeadLetters(callerOf('viewer'), {
      queueId: 'processing',
      limit: 2,
      cursor: first.nextCursor ?? undefined,
    });
    expect(second.items.map((m) => m.id)).toEqual(['m3', 'm4']);
  });

  it('filters by transaction id or error text', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          dlqMessage('m1', envelope('tx-1'), 'PoisonMessageError: malformed'),
          dlqMessage('m2', envelope('tx-2'), 'TransientError'),
        ],
      })
      .resolves({});
    const { platform } = testPlatform();
    sqs.on(GetQueueAttributesCommand).resolves({
      Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '2' },
    });
    const page = await platform.listDeadLetters(callerOf('viewer'), {
      queueId: 'processing',
      search: 'poison',
      limit: 50,
    });
    expect(page.items.map((m) => m.id)).toEqual(['m1']);
    expect(page).toMatchObject({ nextCursor: null, scanned: { searched: 2, approximateTotal: 2 } });
  });

  it('continues a search that spent its receive budget with a cursor, telling how many messages it searched of about how many', async () => {
    // One outage's worth of dead letters; SQS hands out 10 per receive; the wanted one is the 300th.
    const ids = Array.from({ length: 500 }, (_, i) => `tx-${String(i + 1).padStart(4, '0')}`);
    const { clock, platform } = fakeDlq(ids);
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await platform.listDeadLetters(callerOf('viewer'), {
        queueId: 'processing',
        search: 'tx-0300',
        limit: 20, // the console's DEAD_LETTER_PAGE
        cursor,
      });
      pages.push(page);
      cursor = page.nextCursor ?? undefined;
      clock.t += 60_000; // the operator clicks "continue" a minute later: every peeked message is visible again
    } while (cursor && !pages.at(-1)!.items.length && pages.length < 10);
    expect(pages[0]).toMatchObject({ items: [], scanned: { searched: 140, approximateTotal: 500 } });
    expect(pages[0]!.nextCursor).toMatch(/^dl2\.140\./);
    expect(pages.map((p) => p.items.map((m) => m.transactionId))).toEqual([[], [], ['tx-0300']]);
    expect(pages.map((p) => p.scanned?.searched)).toEqual([140, 280, 420]);
  });

  it('finds one transaction in a 1,000-message DLQ that SQS samples at random by following the continuation cursor', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `tx-${String(i + 1).padStart(4, '0')}`);
    const { clock, platform } = fakeDlq(ids, { sample: true });
    const searched: number[] = [];
    let found: string[] = [];
    let cursor: string | undefined;
    for (let n = 0; n < 20 && found.length === 0; n++) {
      const page = await platform.listDeadLetters(callerOf('viewer'), {
        queueId: 'processing',
        search: 'tx-0777',
        limit: 20,
        cursor,
      });
      found = page.items.map((m) => m.transactionId ?? '');
      searched.push(page.scanned!.searched);
      expect(page.nextCursor ?? found.length).toBeTruthy(); // never "no match, no more pages" before it is found
      cursor = page.nextCursor ?? undefined;
      clock.t += 60_000;
    }
    expect(found).toEqual(['tx-0777']);
    // Every page got further (the cursor skips what earlier pages examined).
    expect(searched.every((v, i) => i === 0 || v > searched[i - 1]!)).toBe(true);
  });

  it('ends a search that has seen the whole DLQ with no cursor and how many it searched', async () => {
    const { platform } = fakeDlq(Array.from({ length: 35 }, (_, i) => `tx-${i + 1}`));
    const page = await platform.listDeadLetters(callerOf('viewer'), {
      queueId: 'processing',
      search: 'tx-nowhere',
      limit: 20,
    });
    expect(page).toEqual({ items: [], nextCursor: null, scanned: { searched: 35, approximateTotal: 35 } });
  });

  it('leaves the rest of the batch that filled a search page unexamined, so the next page shows it', async () => {
    const { clock, platform } = fakeDlq(Array.from({ length: 30 }, (_, i) => `tx-${String(i + 1).padStart(2, '0')}`));
    const first = await platform.listDeadLetters(callerOf('viewer'), {
      queueId: 'processing',
      search: 'tx-',
      limit: 5,
    });
    expect(first.items.map((m) => m.id)).toEqual(['tx-01', 'tx-02', 'tx-03', 'tx-04', 'tx-05']);
    expect(first.scanned?.searched).toBe(5);
    clock.t += 60_000;
    const second = await platform.listDeadLetters(callerOf('viewer'), {
      queueId: 'processing',
      search: 'tx-',
      limit: 5,
      cursor: first.nextCursor ?? undefined,
    });
    expect(second.items.map((m) => m.id)).toEqual(['tx-06', 'tx-07', 'tx-08', 'tx-09', 'tx-10']);
    expect(second.scanned?.searched).toBe(10);
  });

  it('answers a search without the DLQ depth when GetQueueAttributes is refused, logging why', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [dlqMessage('m1', envelope('tx-1'), 'TransientError')] })
      .resolves({ Messages: [] });
    sqs
      .on(GetQueueAttributesCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDenied', $fault: 'client', $metadata: {} }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { platform } = testPlatform();
      const page = await platform.listDeadLetters(callerOf('viewer'), {
        queueId: 'processing',
        search: 'tx-1',
        limit: 20,
      });
      expect(page).toMatchObject({ nextCursor: null, scanned: { searched: 1, approximateTotal: null } });
      expect(page.items.map((m) => m.id)).toEqual(['m1']);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('could not be read for a dead-letter search'));
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses a forged cursor naming the field', async () => {
    const { platform } = testPlatform();
    for (const cursor of [
      'not-a-cursor',
      'dl1.AAA',
      'dl1.!!',
      'dl2.x.AAAAAA',
      'dl2.5.AAA',
      'dl2.5.!!',
      'dl2..AAAAAA',
    ]) {
      await expect(
        platform.listDeadLetters(callerOf('viewer'), { queueId: 'processing', limit: 5, cursor }),
      ).rejects.toMatchObject({ code: 'Invalid', field: 'cursor' });
    }
    expect(sqs.calls()).toHaveLength(0);
  });

  it('refuses an unknown queue pair naming the field', async () => {
    const { platform } = testPlatform();
    await expect(platform.listDeadLetters(callerOf('viewer'), { queueId: 'nope', limit: 5 })).rejects.toMatchObject({
      code: 'NotFound',
      field: 'queueId',
    });
    expect(sqs.calls()).toHaveLength(0);
  });
});

describe('redrives', () => {
  const handle = 'eyJ0YXNrSWQiOiIxIn0=';

  it('starts a message-move task from the DLQ to its source queue at the requested rate and stores its handle', async () => {
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: handle });
    sqs.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          TaskHandle: handle,
          Status: 'RUNNING',
          SourceArn: pair.dlqArn,
          DestinationArn: pair.sourceArn,
          MaxNumberOfMessagesPerSecond: 500,
          ApproximateNumberOfMessagesMoved: 0,
          ApproximateNumberOfMessagesToMove: 1200,
          StartedTimestamp: NOW,
        },
      ],
    });
    const { platform } = testPlatform();
    const task = await platform.startRedrive(operator, { queueId: 'processing', rate: 500 });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]!.args[0].input).toEqual({
      SourceArn: pair.dlqArn,
      DestinationArn: pair.sourceArn,
      MaxNumberOfMessagesPerSecond: 500,
    });
    expect(redriveTaskSchema.parse(task)).toEqual({
      id: handle,
      queueId: 'processing',
      region: 'us-east-1',
      status: 'RUNNING',
      moved: 0,
      total: 1200,
      rate: 500,
      selection: 'all',
      startedAt: new Date(NOW).toISOString(),
      endedAt: null,
      startedBy: 'op-1',
      failureReason: null,
    });
    // Once COMPLETED, SQS lists the task without its handle: ours still resolves it, with who started it.
    sqs.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          Status: 'COMPLETED',
          SourceArn: pair.dlqArn,
          ApproximateNumberOfMessagesMoved: 1200,
          ApproximateNumberOfMessagesToMove: 1200,
          StartedTimestamp: NOW,
        },
      ],
    });
    expect(await platform.getRedrive(callerOf('viewer'), handle)).toMatchObject({
      id: handle,
      status: 'COMPLETED',
      moved: 1200,
      startedBy: 'op-1',
    });
    const list = await platform.listRedrives(callerOf('viewer'), {});
    expect(list.items.map((t) => t.id)).toEqual([handle]);
    expect(sqs.commandCalls(ListMessageMoveTasksCommand).at(-1)!.args[0].input).toEqual({
      SourceArn: pair.dlqArn,
      MaxResults: 10,
    });
  });

  it('refuses a rate above the SQS cap of 500 messages/s before calling AWS', async () => {
    const { platform } = testPlatform();
    await expect(platform.startRedrive(operator, { queueId: 'processing', rate: 501 })).rejects.toMatchObject({
      code: 'Invalid',
      field: 'rate',
    });
    expect(sqs.calls()).toHaveLength(0);
  });

  it('reports a second task on the same queue as a Conflict', async () => {
    sqs.on(StartMessageMoveTaskCommand).rejects(
      Object.assign(new Error('There is already an active message move task for the source queue'), {
        name: 'UnsupportedOperation',
        $metadata: {},
      }),
    );
    const { platform } = testPlatform();
    await expect(platform.startRedrive(operator, { queueId: 'processing' })).rejects.toMatchObject({
      code: 'Conflict',
    });
  });

  it('cancels only a RUNNING task, with its stored handle', async () => {
    sqs.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          TaskHandle: handle,
          Status: 'RUNNING',
          SourceArn: pair.dlqArn,
          ApproximateNumberOfMessagesMoved: 10,
          ApproximateNumberOfMessagesToMove: 100,
          StartedTimestamp: NOW,
        },
      ],
    });
    sqs.on(CancelMessageMoveTaskCommand).resolves({ ApproximateNumberOfMessagesMoved: 12 });
    const { platform } = testPlatform();
    const cancelled = await platform.cancelRedrive(operator, handle);
    expect(cancelled).toMatchObject({ status: 'CANCELLING', moved: 12 });
    expect(sqs.commandCalls(CancelMessageMoveTaskCommand)[0]!.args[0].input).toEqual({ TaskHandle: handle });

    sqs.reset();
    sqs.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          Status: 'COMPLETED',
          SourceArn: pair.dlqArn,
          ApproximateNumberOfMessagesMoved: 100,
          ApproximateNumberOfMessagesToMove: 100,
          StartedTimestamp: NOW,
        },
      ],
    });
    await expect(platform.cancelRedrive(operator, handle)).rejects.toMatchObject({ code: 'Conflict' });
    expect(sqs.commandCalls(CancelMessageMoveTaskCommand)).toHaveLength(0);
  });

  it('redrives selected messages in the background by receiving them, sending each to the source queue, then deleting it from the DLQ', async () => {
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [] });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '3' } });
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [dlqMessage('m1', envelope('tx-1'), 'err'), dlqMessage('m2', envelope('tx-2'))] })
      .resolvesOnce({ Messages: [dlqMessage('m3', envelope('tx-3'))] })
      .resolves({ Messages: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });
    sqs.on(DeleteMessageCommand).resolves({});
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    const { platform, sleeps } = testPlatform();
    const task = await platform.startRedrive(operator, { queueId: 'processing', messageIds: ['m1', 'm3'], rate: 1 });
    expect(redriveTaskSchema.parse(task)).toMatchObject({
      selection: 'selected',
      status: 'RUNNING',
      moved: 0,
      total: 2,
      rate: 1,
      startedBy: 'op-1',
    });
    await vi.waitFor(async () =>
      expect((await platform.getRedrive(callerOf('viewer'), task.id))?.status).toBe('COMPLETED'),
    );
    expect(await platform.getRedrive(callerOf('viewer'), task.id)).toMatchObject({ moved: 2, failureReason: null });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
    const sends = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(sends).toEqual([
      {
        QueueUrl: pair.sourceUrl,
        MessageBody: envelope('tx-1'),
        MessageAttributes: { lastError: { DataType: 'String', StringValue: 'err' } },
      },
      { QueueUrl: pair.sourceUrl, MessageBody: envelope('tx-3'), MessageAttributes: undefined },
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: pair.dlqUrl, ReceiptHandle: 'rh-m1' },
      { QueueUrl: pair.dlqUrl, ReceiptHandle: 'rh-m3' },
    ]);
    // The unselected message is made visible again at once.
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0]!.args[0].input.Entries).toEqual([
      { Id: '0', ReceiptHandle: 'rh-m2', VisibilityTimeout: 0 },
    ]);
    // 1 message/s: the second send waited for its slot.
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1000);
    expect((await platform.listRedrives(callerOf('viewer'), { queueId: 'processing' })).items.map((t) => t.id)).toEqual(
      [task.id],
    );
    await expect(platform.cancelRedrive(operator, task.id)).rejects.toMatchObject({ code: 'Conflict' });
  });

  it('reports selected messages it could not find', async () => {
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [] });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '1' } });
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    const { platform } = testPlatform();
    const task = await platform.startRedrive(operator, { queueId: 'processing', messageIds: ['gone'] });
    await vi.waitFor(async () =>
      expect((await platform.getRedrive(callerOf('viewer'), task.id))?.status).toBe('FAILED'),
    );
    const done = await platform.getRedrive(callerOf('viewer'), task.id);
    expect(done).toMatchObject({ moved: 0, total: 1 });
    expect(done?.failureReason).toContain('gone');
  });

  it('keeps a selected redrive and a message-move task on one DLQ apart, and cancels a running selected redrive', async () => {
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [] });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '5' } });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    sqs.on(ReceiveMessageCommand).callsFake(async () => {
      await gate;
      return { Messages: [dlqMessage('m1', envelope('tx-1'))] };
    });
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({});
    const { platform } = testPlatform();
    const task = await platform.startRedrive(operator, { queueId: 'processing', messageIds: ['m1'] });
    await expect(platform.startRedrive(operator, { queueId: 'processing' })).rejects.toMatchObject({
      code: 'Conflict',
    });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
    expect(await platform.cancelRedrive(operator, task.id)).toMatchObject({ status: 'CANCELLING' });
    release();
    await vi.waitFor(async () =>
      expect((await platform.getRedrive(callerOf('viewer'), task.id))?.status).toBe('CANCELLED'),
    );
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    // The message it was holding is handed back to the DLQ.
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0]!.args[0].input.Entries).toEqual([
      { Id: '0', ReceiptHandle: 'rh-m1', VisibilityTimeout: 0 },
    ]);

    sqs
      .on(ListMessageMoveTasksCommand)
      .resolves({ Results: [{ TaskHandle: 'h', Status: 'RUNNING', SourceArn: pair.dlqArn, StartedTimestamp: NOW }] });
    await expect(platform.startRedrive(operator, { queueId: 'processing', messageIds: ['m1'] })).rejects.toMatchObject({
      code: 'Conflict',
    });
  });
});

/**
 * A DLQ that honours SQS's documented semantics: ReceiveMessage hides what it returns for
 * VisibilityTimeout seconds and counts a receive, ChangeMessageVisibilityBatch and DeleteMessage
 * act on the latest receipt handle; `sample` returns a random subset of the visible messages (as
 * SQS does on a large queue) instead of the oldest ones. One clock for the fake and the adapter.
 */
function fakeDlq(ids: string[], options: { sample?: boolean } = {}) {
  const clock = { t: NOW };
  const msgs = ids.map((id) => ({ id, body: envelope(id), visibleAt: 0, receives: 0, handle: '' }));
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let n = 0;
  sqs.on(GetQueueAttributesCommand).callsFake(() => ({
    Attributes: { ApproximateNumberOfMessages: String(msgs.length), ApproximateNumberOfMessagesNotVisible: '0' },
  }));
  sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [] });
  sqs.on(ReceiveMessageCommand).callsFake((i: { MaxNumberOfMessages: number; VisibilityTimeout: number }) => {
    const visible = msgs.filter((m) => m.visibleAt <= clock.t);
    const out: typeof msgs = [];
    while (out.length < i.MaxNumberOfMessages && out.length < visible.length) {
      const m = options.sample ? visible[Math.floor(rnd() * visible.length)]! : visible[out.length]!;
      if (!out.includes(m)) out.push(m);
    }
    for (const m of out) {
      m.visibleAt = clock.t + i.VisibilityTimeout * 1000;
      m.receives++;
      m.handle = `rh-${++n}`;
    }
    return {
      Messages: out.map((m) => ({
        MessageId: m.id,
        ReceiptHandle: m.handle,
        Body: m.body,
        Attributes: { ApproximateReceiveCount: String(m.receives), SentTimestamp: String(NOW - 60_000) },
      })),
    };
  });
  sqs
    .on(ChangeMessageVisibilityBatchCommand)
    .callsFake((i: { Entries: { ReceiptHandle: string; VisibilityTimeout: number }[] }) => {
      for (const e of i.Entries) {
        const m = msgs.find((x) => x.handle === e.ReceiptHandle);
        if (m) m.visibleAt = clock.t + e.VisibilityTimeout * 1000;
      }
      return { Successful: [], Failed: [] };
    });
  sqs.on(DeleteMessageCommand).callsFake((i: { ReceiptHandle: string }) => {
    const k = msgs.findIndex((x) => x.handle === i.ReceiptHandle);
    if (k >= 0) msgs.splice(k, 1);
    return {};
  });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });
  const { platform } = testPlatform(config, {
    now: () => clock.t,
    sleep: (ms) => {
      clock.t += ms;
      return Promise.resolve();
    },
  });
  return { clock, msgs, platform };
}

async function settled(platform: ReturnType<typeof testPlatform>['platform'], id: string) {
  await vi.waitFor(async () => expect((await platform.getRedrive(callerOf('viewer'), id))?.status).not.toBe('RUNNING'));
  return platform.getRedrive(callerOf('viewer'), id);
}

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });

describe('redrives under real SQS timing', () => {
  it('returns a started move task as RUNNING, with the depth read before the start, when the read after StartMessageMoveTask is throttled', async () => {
    let started = false;
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '7' } });
    sqs.on(StartMessageMoveTaskCommand).callsFake(() => {
      started = true;
      return { TaskHandle: 'h-1' };
    });
    sqs.on(ListMessageMoveTasksCommand).callsFake(() => {
      if (started) throw throttled();
      return { Results: [] };
    });
    const { platform } = testPlatform();
    const task = await platform.startRedrive(operator, { queueId: 'processing' });
    expect(task).toMatchObject({ id: 'h-1', status: 'RUNNING', moved: 0, total: 7, startedBy: 'op-1' });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(1);
    // Later reads fill in the rest from SQS.
    sqs.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        {
          TaskHandle: 'h-1',
          Status: 'RUNNING',
          SourceArn: pair.dlqArn,
          ApproximateNumberOfMessagesMoved: 3,
          ApproximateNumberOfMessagesToMove: 7,
          StartedTimestamp: NOW,
        },
      ],
    });
    expect(await platform.getRedrive(callerOf('viewer'), 'h-1')).toMatchObject({
      status: 'RUNNING',
      moved: 3,
      startedBy: 'op-1',
    });
  });

  it('finds a move task SQS completed before the first ListMessageMoveTasks (no TaskHandle once done) and keeps who started it', async () => {
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'h-1' });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '5' } });
    const done = (startedAt: number, moved: number) => ({
      Status: 'COMPLETED',
      SourceArn: pair.dlqArn,
      StartedTimestamp: startedAt,
      ApproximateNumberOfMessagesMoved: moved,
      ApproximateNumberOfMessagesToMove: moved,
    });
    // A 5-message DLQ moves in about a second. SQS's clock is 500 ms behind ours; the older task is
    // someone else's, started before our request minus the clock allowance.
    sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [done(NOW - 500, 5), done(NOW - 60_000, 40)] });
    const { platform } = testPlatform();
    const started = await platform.startRedrive(callerOf('operator', 'op-7'), { queueId: 'processing' });
    expect(started).toMatchObject({ id: 'h-1', status: 'COMPLETED', moved: 5, startedBy: 'op-7' });
    expect(await platform.getRedrive(callerOf('viewer'), 'h-1')).toMatchObject({ status: 'COMPLETED', moved: 5 });
    const listed = await platform.listRedrives(callerOf('viewer'), { limit: 10, queueId: 'processing' });
    expect(listed.items.map((t) => [t.id, t.startedBy])).toEqual([
      ['h-1', 'op-7'],
      [`processing:${NOW - 60_000}`, null],
    ]);
  });

  it('redrives selected dead letters the operator has just peeked at, waiting out the peek visibility', async () => {
    const { clock, msgs, platform } = fakeDlq(['m1', 'm2']);
    const page = await platform.listDeadLetters(callerOf('viewer'), { queueId: 'processing', limit: 20 });
    expect(page.items.map((m) => m.id)).toEqual(['m1', 'm2']);
    const peeks = sqs.commandCalls(ReceiveMessageCommand).length;
    clock.t += 500; // "Redrive selected" half a second later: both are still hidden by the peek
    const task = await platform.startRedrive(operator, { queueId: 'processing', messageIds: ['m1', 'm2'] });
    expect(await settled(platform, task.id)).toMatchObject({ status: 'COMPLETED', moved: 2, failureReason: null });
    expect(msgs).toEqual([]);
    // The scan long-polls: an empty answer then means nothing is visible, not a sampled miss.
    const scans = sqs.commandCalls(ReceiveMessageCommand).slice(peeks);
    expect(scans.length).toBeGreaterThan(0);
    expect(scans.every((c) => (c.args[0].input.WaitTimeSeconds ?? 0) >= 1)).toBe(true);
  });

  it('moves every one of 50 selected messages in a 1,000-message DLQ that SQS samples at random', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `m${i}`);
    const { msgs, platform } = fakeDlq(ids, { sample: true });
    const wanted = Array.from({ length: 50 }, (_, i) => `m${i * 20}`);
    const task = await platform.startRedrive(operator, { queueId: 'processing', messageIds: wanted });
    expect(await settled(platform, task.id)).toMatchObject({ status: 'COMPLETED', moved: 50, total: 50 });
    expect(msgs).toHaveLength(950);
    expect(msgs.some((m) => wanted.includes(m.id))).toBe(false);
    // Every other message was given back once the scan ended.
    expect(msgs.every((m) => m.visibleAt <= NOW)).toBe(true);
  });

  it('reports a selected redrive that could not move every selected message as FAILED with how many it moved', async () => {
    const { platform } = fakeDlq(['m1', 'm2']);
    const task = await platform.startRedrive(operator, { queueId: 'processing', messageIds: ['m1', 'gone'] });
    const done = await settled(platform, task.id);
    expect(done).toMatchObject({ status: 'FAILED', moved: 1, total: 2 });
    expect(done?.failureReason).toContain('moved 1 of 2');
    expect(done?.failureReason).toContain('gone');
  });

  it('retries the messages ChangeMessageVisibilityBatch reports as Failed and reports those it still cannot release', async () => {
    const { platform } = fakeDlq(['m1', 'other-1', 'other-2']);
    sqs
      .on(ChangeMessageVisibilityBatchCommand)
      .resolvesOnce({ Successful: [{ Id: '0' }], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] })
      .resolvesOnce({ Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] });
    const task = await platform.startRedrive(operator, { queueId: 'processing', messageIds: ['m1'] });
    const done = await settled(platform, task.id);
    const calls = sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input.Entries);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual([calls[0]![1]]);
    // The selected message moved: the redrive completed, with the other message's release reported.
    expect(done).toMatchObject({ status: 'COMPLETED', moved: 1 });
    expect(done?.failureReason).toContain('1 other message(s) could not be made visible again');
  });
});

describe('permissions before AWS', () => {
  it("makes zero AWS calls (not even STS) for a viewer's startRedrive", async () => {
    const platform = createAwsPlatform(config, {
      redriveStore: testRedriveStore(),
      credentials: createRoleCredentials({
        roleArns: config.operatorRoleArns,
        sts: new STSClient({ region: 'us-east-1' }),
      }),
    });
    await expect(platform.startRedrive(callerOf('viewer'), { queueId: 'processing' })).rejects.toMatchObject({
      code: 'Forbidden',
    });
    await expect(platform.cancelRedrive(callerOf('approver'), 'x')).rejects.toMatchObject({ code: 'Forbidden' });
    expect(sqs.calls()).toHaveLength(0);
    expect(sts.calls()).toHaveLength(0);
  });
});
