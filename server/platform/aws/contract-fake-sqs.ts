import 'server-only';
import { randomUUID } from 'node:crypto';
import type {
  ChangeMessageVisibilityBatchRequest,
  DeleteMessageRequest,
  GetQueueAttributesRequest,
  ListMessageMoveTasksResultEntry,
  Message,
  MessageAttributeValue,
  ReceiveMessageRequest,
  SendMessageRequest,
  StartMessageMoveTaskRequest,
} from '@aws-sdk/client-sqs';
import { MAX_RECEIVE_COUNT } from '../../../infra/platform/description';
import { awsError, md5, type FakeClock } from './contract-fake-clock';

/**
 * An in-memory SQS for the contract harness, with the semantics the adapter depends on: visibility
 * timeouts (a receive hides its messages; there is no peek), receive counts and first-receive
 * times, receipt handles that change with each receive, attributes as strings, message-move
 * tasks (one active per source DLQ, at a rate, a TaskHandle only while RUNNING, the 10 newest
 * listed) and new message ids for moved messages.
 */

interface FakeMessage {
  id: string;
  body: string;
  attributes: Record<string, MessageAttributeValue>;
  sentAt: number;
  firstReceiveAt: number | null;
  receives: number;
  visibleAt: number;
  receipt: string | null;
  deadLetterSource?: string;
}

interface FakeQueue {
  name: string;
  url: string;
  arn: string;
  visibilitySeconds: number;
  messages: FakeMessage[];
  redrive?: { dlqArn: string; maxReceiveCount: number };
}

interface MoveTask {
  handle: string;
  source: FakeQueue;
  destinationArn: string | undefined;
  rate: number | undefined;
  startedAt: number;
  toMove: number;
  moved: number;
  status: 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';
}

/** SQS moves about 500 messages/s when the task sets no rate. */
const SYSTEM_RATE = 500;

export class FakeSqs {
  private readonly queues = new Map<string, FakeQueue>();
  private readonly tasks: MoveTask[] = [];

  constructor(
    private readonly clock: FakeClock,
    private readonly region: string,
    private readonly account: string,
  ) {}

  createQueue(name: string, redriveTo?: string): FakeQueue {
    const q: FakeQueue = {
      name,
      url: `https://sqs.${this.region}.amazonaws.com/${this.account}/${name}`,
      arn: `arn:aws:sqs:${this.region}:${this.account}:${name}`,
      visibilitySeconds: 30,
      messages: [],
      ...(redriveTo ? { redrive: { dlqArn: this.byName(redriveTo).arn, maxReceiveCount: MAX_RECEIVE_COUNT } } : {}),
    };
    this.queues.set(q.url, q);
    return q;
  }

  private byName(name: string): FakeQueue {
    const q = [...this.queues.values()].find((x) => x.name === name);
    if (!q) throw new Error(`no fake queue ${name}`);
    return q;
  }

  private queue(url: string | undefined): FakeQueue {
    const q = url ? this.queues.get(url) : undefined;
    if (!q) throw awsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return q;
  }

  /** A message as the processor gave up on it: received MAX_RECEIVE_COUNT times, then dead-lettered. */
  deadLetter(dlqName: string, sourceName: string, body: string, lastError: string, sentAt: number): string {
    const m = this.put(this.byName(dlqName), body, { lastError: { DataType: 'String', StringValue: lastError } });
    Object.assign(m, {
      sentAt,
      firstReceiveAt: sentAt + 1_000,
      receives: MAX_RECEIVE_COUNT,
      deadLetterSource: this.byName(sourceName).arn,
    });
    return m.id;
  }

  private put(q: FakeQueue, body: string, attributes: Record<string, MessageAttributeValue> = {}): FakeMessage {
    const m: FakeMessage = {
      id: randomUUID(),
      body,
      attributes,
      sentAt: this.clock.now(),
      firstReceiveAt: null,
      receives: 0,
      visibleAt: 0,
      receipt: null,
    };
    q.messages.push(m);
    return m;
  }

  /** Moves what the running tasks have moved by now. */
  private progress(): void {
    const now = this.clock.now();
    for (const t of this.tasks) {
      if (t.status === 'CANCELLING') t.status = 'CANCELLED';
      if (t.status !== 'RUNNING') continue;
      const due = Math.min(t.toMove, Math.floor(((now - t.startedAt) / 1000) * (t.rate ?? SYSTEM_RATE)));
      while (t.moved < due) {
        const i = t.source.messages.findIndex((m) => m.visibleAt <= now);
        if (i < 0) break;
        const [m] = t.source.messages.splice(i, 1);
        const target = [...this.queues.values()].find((q) => q.arn === (t.destinationArn ?? m!.deadLetterSource));
        if (!target) {
          t.status = 'FAILED';
          break;
        }
        this.put(target, m!.body, m!.attributes);
        t.moved++;
      }
      if (t.status === 'RUNNING' && t.moved >= t.toMove) t.status = 'COMPLETED';
    }
  }

  private counts(q: FakeQueue) {
    const now = this.clock.now();
    const visible = q.messages.filter((m) => m.visibleAt <= now).length;
    return { visible, hidden: q.messages.length - visible };
  }

  getQueueAttributes(input: GetQueueAttributesRequest) {
    this.progress();
    const q = this.queue(input.QueueUrl);
    const { visible, hidden } = this.counts(q);
    const all: Record<string, string> = {
      QueueArn: q.arn,
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(hidden),
      ApproximateNumberOfMessagesDelayed: '0',
      VisibilityTimeout: String(q.visibilitySeconds),
      MessageRetentionPeriod: '1209600',
      ...(q.redrive
        ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: q.redrive.dlqArn, maxReceiveCount: 3 }) }
        : {}),
    };
    const names = input.AttributeNames ?? [];
    const wanted = names.includes('All') ? Object.keys(all) : names;
    return { Attributes: Object.fromEntries(wanted.filter((n) => n in all).map((n) => [n, all[n]!])) };
  }

  receiveMessage(input: ReceiveMessageRequest) {
    this.progress();
    const q = this.queue(input.QueueUrl);
    const max = input.MaxNumberOfMessages ?? 1;
    if (max < 1 || max > 10) throw awsError('InvalidParameterValue', 'MaxNumberOfMessages must be 1 to 10');
    const now = this.clock.now();
    const visibility = (input.VisibilityTimeout ?? q.visibilitySeconds) * 1000;
    const wantsSystem = (input.MessageSystemAttributeNames ?? []).length > 0;
    const wantsUser = (input.MessageAttributeNames ?? []).length > 0;
    const out: Message[] = [];
    for (const m of q.messages) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      m.receives++;
      m.firstReceiveAt ??= now;
      m.visibleAt = now + visibility;
      m.receipt = `${randomUUID()}#${m.id}`;
      out.push({
        MessageId: m.id,
        ReceiptHandle: m.receipt,
        MD5OfBody: md5(m.body),
        Body: m.body,
        ...(wantsSystem
          ? {
              Attributes: {
                SenderId: 'AROAEXAMPLEPROCESSOR:ledgerline-processor',
                SentTimestamp: String(m.sentAt),
                ApproximateReceiveCount: String(m.receives),
                ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt),
                ...(m.deadLetterSource ? { DeadLetterQueueSourceArn: m.deadLetterSource } : {}),
              },
            }
          : {}),
        ...(wantsUser && Object.keys(m.attributes).length ? { MessageAttributes: m.attributes } : {}),
      });
    }
    return out.length ? { Messages: out } : {};
  }

  sendMessage(input: SendMessageRequest) {
    const m = this.put(this.queue(input.QueueUrl), input.MessageBody ?? '', input.MessageAttributes ?? {});
    return { MessageId: m.id, MD5OfMessageBody: md5(m.body) };
  }

  deleteMessage(input: DeleteMessageRequest) {
    const q = this.queue(input.QueueUrl);
    const i = q.messages.findIndex((m) => m.receipt !== null && m.receipt === input.ReceiptHandle);
    if (i < 0 && !input.ReceiptHandle?.includes('#'))
      throw awsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
    if (i >= 0) q.messages.splice(i, 1);
    return {};
  }

  changeMessageVisibilityBatch(input: ChangeMessageVisibilityBatchRequest) {
    const q = this.queue(input.QueueUrl);
    const now = this.clock.now();
    const Successful: { Id: string }[] = [];
    const Failed: { Id: string; Code: string; SenderFault: boolean; Message: string }[] = [];
    for (const e of input.Entries ?? []) {
      const m = q.messages.find((x) => x.receipt === e.ReceiptHandle);
      if (!m) Failed.push({ Id: e.Id ?? '', Code: 'ReceiptHandleIsInvalid', SenderFault: true, Message: 'invalid' });
      else {
        m.visibleAt = now + (e.VisibilityTimeout ?? 0) * 1000;
        Successful.push({ Id: e.Id ?? '' });
      }
    }
    return { Successful, Failed };
  }

  startMessageMoveTask(input: StartMessageMoveTaskRequest) {
    this.progress();
    const source = [...this.queues.values()].find((q) => q.arn === input.SourceArn);
    const isDlq = [...this.queues.values()].some((q) => q.redrive?.dlqArn === input.SourceArn);
    if (!source || !isDlq)
      throw awsError('InvalidParameterValue', 'Source queue must be configured as a Dead Letter Queue.');
    if (this.tasks.some((t) => t.source === source && (t.status === 'RUNNING' || t.status === 'CANCELLING')))
      throw awsError('UnsupportedOperation', 'There is already an active message move task on this queue.');
    const task: MoveTask = {
      handle: Buffer.from(`${randomUUID()}:${source.arn}`).toString('base64'),
      source,
      destinationArn: input.DestinationArn,
      rate: input.MaxNumberOfMessagesPerSecond,
      startedAt: this.clock.now(),
      toMove: this.counts(source).visible,
      moved: 0,
      status: 'RUNNING',
    };
    this.tasks.unshift(task);
    return { TaskHandle: task.handle };
  }

  listMessageMoveTasks(input: { SourceArn?: string; MaxResults?: number }) {
    this.progress();
    const Results: ListMessageMoveTasksResultEntry[] = this.tasks
      .filter((t) => t.source.arn === input.SourceArn)
      .slice(0, Math.min(10, input.MaxResults ?? 1))
      .map((t) => ({
        ...(t.status === 'RUNNING' ? { TaskHandle: t.handle } : {}),
        Status: t.status,
        SourceArn: t.source.arn,
        ...(t.destinationArn ? { DestinationArn: t.destinationArn } : {}),
        ...(t.rate ? { MaxNumberOfMessagesPerSecond: t.rate } : {}),
        ApproximateNumberOfMessagesMoved: t.moved,
        ApproximateNumberOfMessagesToMove: t.toMove,
        StartedTimestamp: t.startedAt,
        ...(t.status === 'FAILED' ? { FailureReason: 'AWS.SimpleQueueService.NonExistentQueue' } : {}),
      }));
    return { Results };
  }

  cancelMessageMoveTask(input: { TaskHandle?: string }) {
    this.progress();
    const t = this.tasks.find((x) => x.handle === input.TaskHandle);
    if (!t)
      throw awsError(
        'ResourceNotFoundException',
        'The resource that you specified for the TaskHandle parameter does not exist.',
      );
    if (t.status !== 'RUNNING') throw awsError('UnsupportedOperation', 'Only active tasks can be cancelled.');
    t.status = 'CANCELLING';
    return { ApproximateNumberOfMessagesMoved: t.moved };
  }
}
