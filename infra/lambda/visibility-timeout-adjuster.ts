/**
 * The visibility-timeout adjuster (every 5 minutes): reads the p99 of the processor's message
 * in-flight time over the last 15 minutes from CloudWatch (IN_FLIGHT_METRIC_ID in
 * infra/platform/description.ts: first receive → end of the invocation, which includes the time
 * the event source mapping holds a batch while its invokes are throttled, so it can exceed the
 * function timeout, unlike the Lambda Duration), applies the shared policy
 * (infra/runtime/policies/visibility-timeout.ts: 6 × p99 clamped to
 * [6 × function timeout + batch window, 43,200 s]) and sets it on each processing queue.
 * Without datapoints the policy gives the floor.
 * Queue-level rather than per message: see infra/lib/constructs/processing.ts.
 * (The next deploy resets the attribute to the template's floor; the adjuster re-applies it.)
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { visibilityTimeout, type VisibilityTimeoutDecision } from '../runtime/policies/visibility-timeout';
import { numberEnv, requireEnv } from './shared/env';
import { observability } from './shared/observability';

/** The CloudWatch metric of the in-flight time (from metricsFor, passed by the CDK construct). */
interface InFlightMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

function inFlightMetricEnv(): InFlightMetric {
  const raw = requireEnv('IN_FLIGHT_METRIC');
  const m = JSON.parse(raw) as Partial<InFlightMetric> | null;
  const valid =
    typeof m?.namespace === 'string' &&
    typeof m.metricName === 'string' &&
    typeof m.dimensions === 'object' &&
    m.dimensions !== null &&
    Object.values(m.dimensions).every((v) => typeof v === 'string');
  if (!valid)
    throw new Error(`environment variable IN_FLIGHT_METRIC must be {namespace, metricName, dimensions}, got ${raw}`);
  return m as InFlightMetric;
}

const { logger, metrics, tracer } = observability();
const queueUrls = JSON.parse(requireEnv('QUEUE_URLS')) as string[];
const inFlight = inFlightMetricEnv();
const functionTimeoutSeconds = numberEnv('FUNCTION_TIMEOUT_SECONDS');
const batchWindowSeconds = numberEnv('BATCH_WINDOW_SECONDS');
const cloudwatch = tracer.captureAWSv3Client(new CloudWatchClient({}));
const sqs = tracer.captureAWSv3Client(new SQSClient({}));

/** The highest 5-minute p99 of the in-flight time over the last 15 minutes, seconds; null without data. */
async function observedP99Seconds(now: Date): Promise<number | null> {
  const r = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - 15 * 60_000),
      EndTime: now,
      MetricDataQueries: [
        {
          Id: 'p99',
          MetricStat: {
            Metric: {
              Namespace: inFlight.namespace,
              MetricName: inFlight.metricName,
              Dimensions: Object.entries(inFlight.dimensions).map(([Name, Value]) => ({ Name, Value })),
            },
            Period: 300,
            Stat: 'p99',
            Unit: 'Seconds',
          },
        },
      ],
    }),
  );
  const values = r.MetricDataResults?.[0]?.Values ?? [];
  return values.length === 0 ? null : Math.max(...values);
}

export const handler = async (): Promise<VisibilityTimeoutDecision> => {
  try {
    const p99 = await observedP99Seconds(new Date());
    const decision = visibilityTimeout({ observedP99Seconds: p99, functionTimeoutSeconds, batchWindowSeconds });
    for (const QueueUrl of queueUrls) {
      const current = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout'] }),
      );
      const before = Number(current.Attributes?.VisibilityTimeout ?? NaN);
      if (before === decision.timeoutSeconds) continue;
      await sqs.send(
        new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: String(decision.timeoutSeconds) } }),
      );
      logger.info('visibility timeout changed', {
        queueUrl: QueueUrl,
        before,
        after: decision.timeoutSeconds,
        p99,
        reason: decision.reason,
      });
    }
    metrics.addMetric('VisibilityTimeoutSeconds', MetricUnit.Seconds, decision.timeoutSeconds);
    return decision;
  } finally {
    metrics.publishStoredMetrics();
  }
};
