import { describe, expect, it } from 'vitest';
import { renderStatic } from '@/components/testing/render-static';
import { NextStep } from './alarm-detail-view';
import { alarmFixture } from './alarm-fixture';
import { alarmKind } from './alarm-kind';

const actions = (
  <>
    <button type="button">Redrive DLQ</button>
    <button type="button">Replay last 24 h</button>
  </>
);

describe('the alarm page: diagnosis first, then the move that fits the alarm', () => {
  it('makes the incident view the primary action of a downstream alarm and folds the replay away', () => {
    const downstream = alarmFixture({ state: 'ALARM' });
    expect(alarmKind(downstream)).toBe('incident');
    const html = renderStatic(<NextStep alarm={downstream} actions={actions} />);
    expect(html).toMatch(
      /^<section aria-label="Next step"[^>]*><a [^>]*class="rounded bg-accent[^"]*"[^>]*>Open incident view<\/a>/,
    );
    // Replay and redrive only inside a collapsed <details>: never the primary button.
    expect(html).toMatch(
      /<details class="text-sm"><summary[^>]*>Other actions \(replay, redrive\)<\/summary>.*Replay last 24 h/,
    );
    expect(html).not.toMatch(/<details[^>]* open/);
  });

  it('leads with the redrive on a DLQ alarm, the incident view as a secondary link', () => {
    const dlq = alarmFixture({
      name: 'ledgerline-local-processing-dlq-depth',
      resource: { kind: 'queue', id: 'processing' },
    });
    expect(alarmKind(dlq)).toBe('dlq');
    const html = renderStatic(<NextStep alarm={dlq} actions={actions} />);
    expect(html.indexOf('Redrive DLQ')).toBeLessThan(html.indexOf('Open incident view'));
    expect(html).not.toContain('<details');
    expect(html).toMatch(/<a [^>]*class="rounded border[^"]*"[^>]*>Open incident view/);
  });

  it('does not take the oldest-message-age alarm of a queue for a DLQ alarm', () => {
    expect(
      alarmKind({
        name: 'ledgerline-local-processing-oldest-message-age',
        resource: { kind: 'queue', id: 'processing' },
      }),
    ).toBe('incident');
  });
});
