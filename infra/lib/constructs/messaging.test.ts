import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { featureFlags } from '../app';
import { shardPrefixes, TRANSACTION_ID_ALPHABET } from '../capacity';
import { limitRetention, Messaging, QUEUE_RETENTION } from './messaging';

process.env.CDK_VALIDATION = 'false'; // `npm run synth` runs aws-cdk-lib's CloudFormation check once
const outdir = mkdtempSync(join(tmpdir(), 'messaging-test-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('Messaging with queue shards', () => {
  it('routes each transaction id first character to exactly one of 4 shards, each with its own byQueue DLQ', () => {
    const stack = new Stack(new App({ context: featureFlags, outdir }), 'T', { env: { region: 'us-east-1' } });
    const shards = [0, 1, 2, 3].map((i) => ({
      id: 'processing',
      source: i === 0 ? 'p' : `p-s${i}`,
      dlq: i === 0 ? 'p-dlq' : `p-s${i}-dlq`,
    }));
    new Messaging(stack, 'M', {
      key: new Key(stack, 'K'),
      busName: 'bus',
      busDlqName: 'bus-dlq',
      archiveName: 'archive',
      eventSources: ['transaction.processing', 'payment.validation'],
      detailTypes: ['TransactionSubmitted'],
      archiveRetention: Duration.days(30),
      shards,
      maxReceiveCount: 3,
      visibilityTimeout: Duration.seconds(181),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const t = Template.fromStack(stack);
    const rules = Object.values(t.findResources('AWS::Events::Rule')) as {
      Properties: { EventPattern: { detail?: { transactionId: { prefix: string }[] } } };
    }[];
    expect(rules).toHaveLength(4);
    const prefixes = rules.flatMap((r) => r.Properties.EventPattern.detail!.transactionId.map((p) => p.prefix));
    expect(prefixes.sort()).toEqual([...TRANSACTION_ID_ALPHABET].sort());
    expect(
      rules.map((r) => r.Properties.EventPattern.detail!.transactionId.map((p) => p.prefix).sort()),
    ).toContainEqual(shardPrefixes(2, 4).sort());
    const queues = Object.values(t.findResources('AWS::SQS::Queue')) as {
      Properties: { QueueName: string; RedriveAllowPolicy?: { sourceQueueArns: unknown[] } };
    }[];
    for (const s of shards) {
      const dlq = queues.find((q) => q.Properties.QueueName === s.dlq)!;
      expect(JSON.stringify(dlq.Properties.RedriveAllowPolicy!.sourceQueueArns)).toContain(`:${s.source}"`);
    }
  });
});

describe('limitRetention', () => {
  it('sets the retention of a queue and refuses one SQS does not accept', () => {
    const stack = new Stack(new App({ context: featureFlags, outdir }), 'R', { env: { region: 'us-east-1' } });
    const queue = new Queue(stack, 'Q', { retentionPeriod: QUEUE_RETENTION });
    limitRetention(queue, Duration.hours(46));
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 46 * 3600 });
    expect(() => limitRetention(queue, Duration.days(15))).toThrow(/must be 60 s to 14 days, got 1296000 s/);
    expect(() => limitRetention(queue, Duration.seconds(30))).toThrow(/R\/Q must be 60 s to 14 days/);
  });
});
