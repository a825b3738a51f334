/**
 * The circuit breaker Lambda: triggered by the downstream-failures alarm's state changes and
 * every minute. Reads the alarm and each processor mapping, applies `decideBreaker`
 * (shared/mapping-breaker.ts) and updates the mapping (disable = open, probe concurrency =
 * half-open, full concurrency = closed).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetEventSourceMappingCommand, LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { numberEnv, requireEnv } from './shared/env';
import { decideBreaker, type AlarmState, type BreakerAction } from './shared/mapping-breaker';
import { observability } from './shared/observability';

const { logger, metrics, tracer } = observability();
const mappingIds = JSON.parse(requireEnv('MAPPING_IDS')) as string[];
const alarmName = requireEnv('ALARM_NAME');
const settings = {
  fullConcurrency: numberEnv('MAX_CONCURRENCY'),
  probeConcurrency: numberEnv('PROBE_CONCURRENCY'),
  openSeconds: numberEnv('OPEN_SECONDS'),
  halfOpenSeconds: numberEnv('HALF_OPEN_SECONDS'),
  processingEnabled: requireEnv('PROCESSING_ENABLED') === 'true',
};
const cloudwatch = tracer.captureAWSv3Client(new CloudWatchClient({}));
const lambda = tracer.captureAWSv3Client(new LambdaClient({}));

export const handler = async (): Promise<BreakerAction[]> => {
  const alarms = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
  const alarm: AlarmState = alarms.MetricAlarms?.[0]?.StateValue ?? 'INSUFFICIENT_DATA';
  const actions: BreakerAction[] = [];
  try {
    for (const uuid of mappingIds) {
      const m = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
      const snapshot = {
        enabled: m.State === 'Enabled' || m.State === 'Enabling' || m.State === 'Updating',
        maxConcurrency: m.ScalingConfig?.MaximumConcurrency ?? settings.fullConcurrency,
        lastModified: m.LastModified?.getTime() ?? 0,
      };
      const action = decideBreaker(alarm, snapshot, settings, Date.now());
      actions.push(action);
      if (action.kind === 'update') {
        await lambda.send(
          new UpdateEventSourceMappingCommand({
            UUID: uuid,
            Enabled: action.enabled,
            ScalingConfig: { MaximumConcurrency: action.maxConcurrency },
          }),
        );
        metrics.addMetric(
          `CircuitBreaker${action.to === 'open' ? 'Opened' : action.to === 'half-open' ? 'HalfOpened' : 'Closed'}`,
          MetricUnit.Count,
          1,
        );
        logger.warn('circuit breaker transition', { mapping: uuid, alarm, ...action });
      } else {
        logger.info('circuit breaker unchanged', { mapping: uuid, alarm, ...action });
      }
    }
  } finally {
    metrics.publishStoredMetrics();
  }
  return actions;
};
