import { describe, expect, it } from 'vitest';
import { renderStatic } from '@/components/testing/render-static';
import { DataTableCore } from '@/components/ui/data-table-core';
import { AlarmEpisode, episodeText, flapText } from './alarm-episode';
import { alarmFixture } from './alarm-fixture';
import { alarmColumns } from './alarms-view';

const firing = alarmFixture({
  state: 'ALARM',
  reason: 'Threshold crossed',
  since: '2026-12-06T22:02:00.120Z', // the evaluation that noticed it
  episodeStart: '2026-12-06T22:00:00.000Z', // its first breaching minute
  flapCount: 1,
});
const now = Date.parse('2026-12-06T22:12:30Z');

describe('an alarm’s episode', () => {
  it('reads "in ALARM since" the first breaching minute, with how long it has lasted', () => {
    expect(episodeText(firing, now)).toBe('in ALARM since 2026-12-06 22:00:00 UTC (for 12 min)');
    expect(episodeText(firing, now + 65 * 60_000)).toBe('in ALARM since 2026-12-06 22:00:00 UTC (for 1 h 17 min)');
    expect(episodeText(firing, 0)).toBe('in ALARM since 2026-12-06 22:00:00 UTC');
  });

  it('falls back to the last state change out of ALARM, or when the backend cannot tell the episode', () => {
    expect(episodeText({ ...firing, state: 'OK' }, now)).toBe('OK since 2026-12-06 22:02:00 UTC');
    expect(episodeText({ ...firing, episodeStart: null }, now)).toBe('ALARM since 2026-12-06 22:02:00 UTC');
  });

  it('counts state changes of the last hour and marks a flapping alarm', () => {
    expect(flapText(firing)).toBe('1 state change in the last 60 min');
    expect(flapText({ flapCount: null })).toBeNull();
    expect(renderStatic(<AlarmEpisode alarm={firing} now={now} />)).not.toContain('flapping');
    const flapping = renderStatic(<AlarmEpisode alarm={{ ...firing, flapCount: 6 }} now={now} />);
    expect(flapping).toContain('6 state changes in the last 60 min');
    expect(flapping).toContain('flapping');
  });

  it('shows each alarm’s episode and flap count in the alarms list', () => {
    const html = renderStatic(
      <DataTableCore
        label="Alarms"
        data={[firing, alarmFixture({ name: 'ledgerline-local-processing-dlq-depth' })]}
        columns={alarmColumns(now)}
        getRowId={(a) => a.name}
        empty={null}
      />,
    );
    expect(html).toContain('in ALARM since 2026-12-06 22:00:00 UTC (for 12 min)');
    expect(html).toContain('1 state change in the last 60 min');
    expect(html).toContain('OK since 2026-12-06 22:00:05 UTC');
  });
});
