import { describe, expect, it } from 'vitest';
import { alarmFixture } from '@/components/alarms/alarm-fixture';
import { renderStatic } from '@/components/testing/render-static';
import type { RegionOverview } from '@/server/ops/read/read.schema';
import { RegionSection } from './region-section';

const firing = alarmFixture({ state: 'ALARM', episodeStart: '2026-12-06T22:00:00.000Z', flapCount: 1 });

function region(over: { healthy?: boolean; firing?: number } = {}): RegionOverview {
  const n = over.firing ?? 0;
  return {
    region: { id: 'us-east-1', primary: true, healthy: over.healthy ?? true },
    firingAlarms: Array.from({ length: n }, (_, i) => ({ ...firing, name: `${firing.name}-${i}` })),
    alarmCounts: { ALARM: n, OK: 9 - n, INSUFFICIENT_DATA: 0 },
    queues: [],
  };
}

const badge = (html: string) => /data-testid="region-badge-us-east-1"[^>]*>(.*?)<\/span><\/span>/.exec(html)?.[1] ?? '';

describe('a region on the overview', () => {
  it('is red while any of its alarms is in ALARM, although the platform answers', () => {
    const html = renderStatic(<RegionSection data={region({ firing: 2 })} />);
    expect(badge(html)).toContain('>ALARM<');
    expect(badge(html)).toContain('2 alarms firing');
    expect(badge(html)).toContain('text-danger');
    expect(html).toContain('in ALARM since 2026-12-06 22:00:00 UTC · 1 state change in the last 60 min');
  });

  it('is OK when no alarm fires and the platform answers', () => {
    const html = renderStatic(<RegionSection data={region()} />);
    expect(badge(html)).toContain('>OK<');
    expect(badge(html)).toContain('no alarm firing');
  });

  it('is red when the platform does not answer, and says so', () => {
    const html = renderStatic(<RegionSection data={region({ healthy: false })} />);
    expect(badge(html)).toContain('>ALARM<');
    expect(badge(html)).toContain('platform not answering');
  });
});
