import { describe, expect, it } from 'vitest';
import { renderStatic } from '@/components/testing/render-static';
import { ChartFigure } from './chart-figure';

const series = [
  {
    id: 'events.in',
    label: 'Events in',
    unit: 'Count',
    points: [
      { t: '2026-01-01T00:00:00Z', v: 300 },
      { t: '2026-01-01T00:01:00Z', v: 310 },
      { t: '2026-01-01T00:02:00Z', v: 12 },
    ],
  },
];
const minute = Date.parse('2026-01-01T00:02:00Z');

describe('a metric chart', () => {
  it('says its last bucket is in progress while that minute runs, and summarizes the complete ones', () => {
    const html = renderStatic(<ChartFigure title="Events per 1 min" series={series} now={minute + 5_000} />);
    expect(html).toContain('The last bucket (from 00:02 UTC) is in progress');
    expect(html).toContain('Events in: latest 310, max 310 Count, 12 so far');
  });

  it('says nothing of the kind once the last bucket is complete', () => {
    const html = renderStatic(<ChartFigure title="Events per 1 min" series={series} now={minute + 60_000} />);
    expect(html).not.toContain('in progress');
    expect(html).toContain('Events in: latest 12, max 310 Count');
  });
});
