import 'server-only';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { QueuePair } from '../platform.schema';
import { PlatformError } from '../port';
import type { Ctx } from './clients';
import type { AwsQueuePairConfig } from './config';
import { call } from './errors';
import { queueNameFromUrl, toQueuePair } from './queue-mappers';

/** Queue pairs on SQS: the configured (source, DLQ) pairs, their depths and oldest ages. */

export function pairFor(ctx: Ctx, queueId: string): AwsQueuePairConfig {
  const pair = ctx.config.queuePairs.find((p) => p.id === queueId);
  if (!pair) {
    throw new PlatformError(
      'NotFound',
      `unknown queue pair "${queueId}" (known: ${ctx.config.queuePairs.map((p) => p.id).join(', ')})`,
      'queueId',
    );
  }
  return pair;
}

export async function queueAttributes(ctx: Ctx, url: string) {
  const res = await call(`GetQueueAttributes on ${queueNameFromUrl(url)}`, () =>
    ctx.aws.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'RedrivePolicy'],
      }),
    ),
  );
  return res.Attributes ?? {};
}

/** Latest ApproximateAgeOfOldestMessage (Maximum, 1-minute) of each queue over the last 10 minutes. */
async function oldestAges(ctx: Ctx, queueNames: string[]): Promise<Map<string, number>> {
  const end = ctx.now();
  const res = await call('GetMetricData ApproximateAgeOfOldestMessage', () =>
    ctx.aws.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(end - 10 * 60_000),
        EndTime: new Date(end),
        ScanBy: 'TimestampDescending',
        MetricDataQueries: queueNames.map((name, i) => ({
          Id: `age${i}`,
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/SQS',
              MetricName: 'ApproximateAgeOfOldestMessage',
              Dimensions: [{ Name: 'QueueName', Value: name }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        })),
      }),
    ),
  );
  const ages = new Map<string, number>();
  for (const r of res.MetricDataResults ?? []) {
    const index = Number(r.Id?.slice(3));
    const name = queueNames[index];
    if (name === undefined) continue;
    // TimestampDescending: the first value is the latest.
    ages.set(name, Math.max(0, r.Values?.[0] ?? 0));
  }
  return ages;
}

export async function listQueuePairs(ctx: Ctx): Promise<QueuePair[]> {
  const pairs = ctx.config.queuePairs;
  const names = pairs.flatMap((p) => [queueNameFromUrl(p.sourceUrl), queueNameFromUrl(p.dlqUrl)]);
  const [attributes, ages] = await Promise.all([
    Promise.all(
      pairs.map(async (p) => [await queueAttributes(ctx, p.sourceUrl), await queueAttributes(ctx, p.dlqUrl)] as const),
    ),
    oldestAges(ctx, names),
  ]);
  return pairs.map((p, i) => {
    const [src, dlq] = attributes[i] ?? [{}, {}];
    return toQueuePair(ctx, p, src, dlq, ages);
  });
}
