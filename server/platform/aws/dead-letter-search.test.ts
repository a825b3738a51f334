/**
 * An SQS dead-letter search over a DLQ larger than the cursor can remember (MAX_SEEN): SQS hands
 * out the oldest messages first, and examined messages are visible again by the next page, so
 * past ~600 a page meets only messages it already examined. The search must then say it cannot
 * get further, not keep offering "continue" forever.
 */
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { expect, it } from 'vitest';
import { callerOf, NOW, testConfig, testPlatform, transactionEnvelopeBody } from './testing';

const sqs = mockClient(SQSClient);

const envelope = transactionEnvelopeBody;

it('stops, saying it cannot search further, when a 1,000-message DLQ hands out only messages it already examined', async () => {
  sqs.reset();
  const clock = { t: NOW };
  const msgs = Array.from({ length: 1000 }, (_, i) => {
    const id = `tx-${String(i + 1).padStart(4, '0')}`;
    return { id, body: envelope(id), visibleAt: 0, receives: 0 };
  });
  sqs.on(GetQueueAttributesCommand).resolves({
    Attributes: { ApproximateNumberOfMessages: '1000', ApproximateNumberOfMessagesNotVisible: '0' },
  });
  sqs.on(ListMessageMoveTasksCommand).resolves({ Results: [] });
  sqs.on(ReceiveMessageCommand).callsFake((i: { MaxNumberOfMessages: number; VisibilityTimeout: number }) => {
    const out = msgs.filter((m) => m.visibleAt <= clock.t).slice(0, i.MaxNumberOfMessages);
    for (const m of out) {
      m.visibleAt = clock.t + i.VisibilityTimeout * 1000;
      m.receives++;
    }
    return {
      Messages: out.map((m) => ({
        MessageId: m.id,
        ReceiptHandle: `rh-${m.id}-${m.receives}`,
        Body: m.body,
        Attributes: { ApproximateReceiveCount: String(m.receives), SentTimestamp: String(NOW - 60_000) },
      })),
    };
  });
  const { platform } = testPlatform(testConfig(), { now: () => clock.t });
  const searched: number[] = [];
  let last: Awaited<ReturnType<typeof platform.listDeadLetters>> | null = null;
  let cursor: string | undefined;
  let pages = 0;
  for (; pages < 20; pages++) {
    last = await platform.listDeadLetters(callerOf('viewer'), {
      queueId: 'processing',
      search: 'tx-0777',
      limit: 20,
      cursor,
    });
    expect(last.items).toEqual([]); // tx-0777 is beyond what the console can reach
    searched.push(last.scanned?.searched ?? -1);
    cursor = last.nextCursor ?? undefined;
    if (!cursor) break;
    clock.t += 60_000; // the operator clicks "Continue searching" a minute later
  }
  // Each page before the end made progress; the last one says it reached the limit.
  expect(pages, `searched per page: ${searched.join(', ')}`).toBeLessThan(10);
  for (let i = 1; i < searched.length - 1; i++) expect(searched[i]).toBeGreaterThan(searched[i - 1]!);
  expect(last?.nextCursor).toBeNull();
  expect(last?.scanned).toMatchObject({ limitReached: true, approximateTotal: 1000 });
  expect(last?.scanned?.searched).toBeLessThanOrEqual(1000);
});
