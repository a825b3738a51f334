import type { ReactNode } from 'react';
import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { alarmFixture } from '@/components/alarms/alarm-fixture';
import { renderStatic } from '@/components/testing/render-static';
import type { IncidentDetail } from '@/server/ops/read/incident.schema';
import { incidentKeys } from './data/keys';
import { IncidentView } from './incident-view';

const alarm = alarmFixture({
  name: 'ledgerline-local-processing-dlq-depth',
  resource: { kind: 'queue', id: 'processing' },
  description: 'Messages in the processing DLQ',
  reason: 'Threshold crossed: 1 datapoint [15.0] was greater than 0',
  state: 'ALARM',
  since: '2026-12-06T22:02:00.000Z',
  episodeStart: '2026-12-06T22:01:00.000Z',
  flapCount: 1,
});

const incident: IncidentDetail = {
  alarm,
  anchor: 'episode',
  window: { from: '2026-12-06T22:01:00.000Z', to: '2026-12-06T22:11:00.000Z' },
  queue: null,
  series: [],
  deadLetterCount: 7,
  transactions: [],
  timeline: [],
  truncated: false,
  counts: { FAILED: 3, COMPENSATING: 0, COMPENSATED: 12, total: 15, capped: false, cap: 10_000 },
  groups: [
    {
      step: 'SettlePayment',
      classId: 'c-1',
      errorType: 'DownstreamUnavailable',
      message: 'settlement answered 503',
      count: 15,
      byStatus: { FAILED: 3, COMPENSATED: 12 },
      firstAt: '2026-12-06T22:01:10.000Z',
      lastAt: '2026-12-06T22:10:50.000Z',
      sampleSagaId: 'saga-1',
    },
  ],
};

function render(actions?: ReactNode): string {
  const client = new QueryClient();
  client.setQueryData(incidentKeys.alarm(alarm.name), incident, { updatedAt: Date.parse('2026-12-06T22:11:00Z') });
  return renderStatic(<IncidentView alarm={alarm.name} actions={actions} />, { client });
}

describe('the incident page: diagnosis first, then the actions', () => {
  const redrive = <button type="button">Redrive DLQ</button>;

  it('shows the alarm (description, reason, episode) and the aggregated failures before the redrive', () => {
    const html = render(redrive);
    const at = (s: string) => {
      const i = html.indexOf(s);
      expect(i, s).toBeGreaterThan(-1);
      return i;
    };
    const diagnosis = at('aria-label="Diagnosis"');
    expect(at('Messages in the processing DLQ')).toBeGreaterThan(diagnosis);
    expect(at('in ALARM since 2026-12-06 22:01:00 UTC (for 10 min)')).toBeGreaterThan(diagnosis);
    const failures = at('data-testid="incident-counts"');
    expect(at('DownstreamUnavailable')).toBeGreaterThan(failures);
    expect(at('7 dead letters in the window.')).toBeGreaterThan(diagnosis);
    const actions = at('aria-label="Next step"');
    expect(actions).toBeGreaterThan(at('DownstreamUnavailable'));
    expect(at('Redrive DLQ')).toBeGreaterThan(actions);
  });

  it('renders no action section for a caller without actions (a viewer)', () => {
    const html = render();
    expect(html).toContain('aria-label="Diagnosis"');
    expect(html).not.toContain('aria-label="Next step"');
  });
});
