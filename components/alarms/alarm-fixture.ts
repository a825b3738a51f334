import type { Alarm } from '@/server/platform/platform.schema';

/** Test support: an alarm as the port returns it, with `over` applied. */
export function alarmFixture(over: Partial<Alarm> = {}): Alarm {
  return {
    name: 'ledgerline-local-downstream-failures',
    region: 'us-east-1',
    description: 'Downstream (settlement) failure rate above 20%',
    state: 'OK',
    reason: 'Threshold not crossed',
    since: '2026-12-06T22:00:05.000Z',
    threshold: 20,
    comparison: 'GreaterThanThreshold',
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    treatMissingData: 'notBreaching',
    metric: {
      namespace: 'Ledgerline',
      name: 'DownstreamFailureRate',
      dimensions: {},
      stat: 'Maximum',
      periodSeconds: 60,
    },
    resource: { kind: 'platform', id: 'downstream' },
    episodeStart: null,
    flapCount: 0,
    ...over,
  };
}
