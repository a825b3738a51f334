import { describe, expect, it } from 'vitest';
import { alarmName, alarmsFor, metricsFor } from '@/infra/platform/description';
import { metricIdOf } from './metric-ids';

const metric = { namespace: 'X', name: 'Y', dimensions: {}, stat: 'Sum', periodSeconds: 60 };

describe('metricIdOf', () => {
  it('finds the metric id of every alarm of the description by its name', () => {
    for (const def of alarmsFor('staging')) {
      expect(metricIdOf({ name: alarmName('staging', def.suffix), metric })).toBe(def.metricId);
    }
  });

  it('falls back to the CloudWatch metric the alarm watches', () => {
    const def = metricsFor('local').find((m) => m.id === 'dlq.processing.visible')!;
    const found = metricIdOf({
      name: 'someone-elses-alarm',
      metric: {
        namespace: def.namespace,
        name: def.metricName,
        dimensions: def.dimensions,
        stat: def.stat,
        periodSeconds: 60,
      },
    });
    expect(found).toBe('dlq.processing.visible');
  });

  it('returns null for a metric the description does not know', () => {
    expect(metricIdOf({ name: 'unknown', metric })).toBeNull();
  });
});
