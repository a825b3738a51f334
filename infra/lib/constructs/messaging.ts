/**
 * Messaging: the EventBridge bus (CMK) with a DLQ for undeliverable events, the 30-day
 * archive of the transaction sources (`new events.Archive` with `kmsKey`: `bus.archive()`
 * silently drops the key), the rules that route transactions to the processing queue shards,
 * and the SQS queues + DLQs (CMK, SSL enforced, maxReceiveCount 3, DLQ redrive allowed
 * only from its own source queue).
 */
import { ArnFormat, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import { Archive, EventBus, Match, Rule, type CfnArchive, type CfnEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption, RedrivePermission, type CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { shardPrefixes } from '../capacity';
import { acknowledge } from '../nag';

/** Default retention of every queue: the SQS maximum, 14 days. */
export const QUEUE_RETENTION = Duration.days(14);

/**
 * Shortens the retention of a queue created here (e.g. a processing queue that nothing
 * consumes outside the write region: constructs/processing.ts). SQS accepts 60 s to 14 days.
 */
export function limitRetention(queue: Queue, retention: Duration): void {
  const seconds = retention.toSeconds();
  if (seconds < 60 || seconds > QUEUE_RETENTION.toSeconds()) {
    throw new Error(`retention of ${queue.node.path} must be 60 s to 14 days, got ${seconds} s`);
  }
  (queue.node.defaultChild as CfnQueue).messageRetentionPeriod = seconds;
}

export interface ProcessingShardNames {
  /** Queue pair id from the platform description (`processing`). */
  id: string;
  source: string;
  dlq: string;
}

export interface MessagingProps {
  key: IKey;
  busName: string;
  busDlqName: string;
  archiveName: string;
  /** Event sources that are archived and routed (description.eventSources). */
  eventSources: readonly string[];
  detailTypes: readonly string[];
  archiveRetention: Duration;
  /** One entry per shard (capacity model); shard i receives ids starting with shardPrefixes(i, n). */
  shards: ProcessingShardNames[];
  maxReceiveCount: number;
  /** From the capacity model: 6 × function timeout + batching window. */
  visibilityTimeout: Duration;
  removalPolicy: RemovalPolicy;
}

export interface ProcessingShard {
  names: ProcessingShardNames;
  queue: Queue;
  dlq: Queue;
  rule: Rule;
}

export class Messaging extends Construct {
  readonly bus: EventBus;
  readonly busDlq: Queue;
  readonly archive: Archive;
  readonly shards: ProcessingShard[];

  constructor(scope: Construct, id: string, props: MessagingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const retention = QUEUE_RETENTION;

    this.busDlq = new Queue(this, 'BusDlq', {
      queueName: props.busDlqName,
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: retention,
      removalPolicy: props.removalPolicy,
    });
    acknowledge(
      this.busDlq,
      'Serverless-SQSRedrivePolicy',
      'This queue IS the dead-letter queue of the bus and its rule targets; it is the end of the line, watched by the bus-dlq-depth alarm.',
    );
    acknowledge(
      this.busDlq,
      'AwsSolutions-SQS3',
      'This queue IS the dead-letter queue of the bus and its rule targets; a DLQ of a DLQ would hide undeliverable events from the bus-dlq-depth alarm.',
    );

    this.bus = new EventBus(this, 'Bus', {
      eventBusName: props.busName,
      deadLetterQueue: this.busDlq,
      description: 'Ledgerline payment transactions',
    });
    // The CMK is set on the L1: the L2 `kmsKey` (of the bus and of the archive) adds a key-policy
    // statement naming the bus ARN, which closes a cycle key -> bus -> DLQ -> key. The key policy's EventBridge statement
    // (constructs/keys.ts, scoped by aws:SourceAccount) already lets EventBridge use the key.
    (this.bus.node.defaultChild as CfnEventBus).kmsKeyIdentifier = props.key.keyArn;

    // `new Archive`, never `bus.archive()` (which silently drops the key). The key is set on
    // the L1 for the same cycle reason as the bus; tests assert KmsKeyIdentifier.
    this.archive = new Archive(this, 'Archive', {
      archiveName: props.archiveName,
      sourceEventBus: this.bus,
      description: `Every ${props.eventSources.join(' / ')} event, kept for replay`,
      eventPattern: { source: [...props.eventSources] },
      retention: props.archiveRetention,
    });
    (this.archive.node.defaultChild as CfnArchive).kmsKeyIdentifier = props.key.keyArn;
    // The archive holds the replayable history: it follows the stage's removal policy.
    this.archive.applyRemovalPolicy(props.removalPolicy);

    const n = props.shards.length;
    this.shards = props.shards.map((names, i) => {
      const suffix = n === 1 ? '' : `Shard${i}`;
      const sourceArn = stack.formatArn({
        service: 'sqs',
        resource: names.source,
        arnFormat: ArnFormat.NO_RESOURCE_NAME,
      });
      const dlq = new Queue(this, `${names.id}Dlq${suffix}`, {
        queueName: names.dlq,
        encryption: QueueEncryption.KMS,
        encryptionMasterKey: props.key,
        enforceSSL: true,
        retentionPeriod: retention,
        removalPolicy: props.removalPolicy,
        // Only its own source queue may use this queue as a DLQ (redrive allow policy byQueue).
        redriveAllowPolicy: {
          redrivePermission: RedrivePermission.BY_QUEUE,
          sourceQueues: [Queue.fromQueueArn(this, `${names.id}SourceRef${suffix}`, sourceArn)],
        },
      });
      acknowledge(
        dlq,
        'Serverless-SQSRedrivePolicy',
        `${names.dlq} is the dead-letter queue of ${names.source}; its messages are redriven to the source by operators, never to another DLQ.`,
      );
      const queue = new Queue(this, `${names.id}Queue${suffix}`, {
        queueName: names.source,
        encryption: QueueEncryption.KMS,
        encryptionMasterKey: props.key,
        enforceSSL: true,
        retentionPeriod: retention,
        visibilityTimeout: props.visibilityTimeout,
        deadLetterQueue: { queue: dlq, maxReceiveCount: props.maxReceiveCount },
        removalPolicy: props.removalPolicy,
      });
      const prefixes = n === 1 ? null : shardPrefixes(i, n);
      const rule = new Rule(this, `To${names.id}${suffix}`, {
        eventBus: this.bus,
        ruleName: `${names.source}-route`,
        description: `Routes transactions${prefixes ? ` with ids starting ${prefixes.join('')}` : ''} to ${names.source}`,
        eventPattern: {
          source: [...props.eventSources],
          detailType: [...props.detailTypes],
          ...(prefixes ? { detail: { transactionId: Match.anyOf(...prefixes.map((p) => Match.prefix(p))) } } : {}),
        },
        targets: [
          new SqsQueue(queue, {
            deadLetterQueue: this.busDlq,
            retryAttempts: 185,
            maxEventAge: Duration.hours(24),
          }),
        ],
      });
      return { names, queue, dlq, rule };
    });
  }
}
