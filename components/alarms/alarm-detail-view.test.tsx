import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { renderStatic } from '@/components/testing/render-static';
import type { AlarmDetail } from '@/server/ops/read/read.schema';
import { AlarmDetailView } from './alarm-detail-view';
import { alarmFixture } from './alarm-fixture';
import { alarmKeys } from './data/keys';

describe('the alarm page', () => {
  it('says since when the episode has lasted and how often the alarm changed state in the last hour', () => {
    const alarm = alarmFixture({
      state: 'ALARM',
      since: '2026-12-06T22:02:00.120Z',
      episodeStart: '2026-12-06T22:00:00.000Z',
      flapCount: 1,
    });
    const detail: AlarmDetail = {
      alarm,
      history: [{ timestamp: alarm.since, from: 'OK', to: 'ALARM', reason: 'Threshold crossed' }],
      series: [],
      window: { from: '2026-12-06T21:00:00.000Z', to: '2026-12-06T22:12:30.000Z' },
    };
    const client = new QueryClient();
    client.setQueryData(alarmKeys.detail(alarm.name), detail, { updatedAt: Date.parse('2026-12-06T22:12:30Z') });
    const html = renderStatic(<AlarmDetailView name={alarm.name} />, { client });
    expect(html).toContain('in ALARM since 2026-12-06 22:00:00 UTC (for 12 min)');
    expect(html).toContain('1 state change in the last 60 min');
  });
});
