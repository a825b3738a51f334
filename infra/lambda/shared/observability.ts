/**
 * Powertools logger, metrics and tracer for the platform's functions. Metrics carry exactly
 * the `Stage` dimension, so they are the metrics of infra/platform/description.ts (metricsFor)
 * that the alarms and the console read (Powertools' default `service` dimension is removed).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { requireEnv } from './env';

export function observability(): { logger: Logger; metrics: Metrics; tracer: Tracer; stage: string } {
  const stage = requireEnv('STAGE');
  const logger = new Logger();
  const metrics = new Metrics({ namespace: 'Ledgerline' });
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ Stage: stage });
  const tracer = new Tracer();
  return { logger, metrics, tracer, stage };
}
