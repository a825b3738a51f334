import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { ReplayAction } from '@/components/replays/replay-action';
import { renderStatic } from '@/components/testing/render-static';
import { NextStep } from './alarm-detail-view';
import { alarmFixture } from './alarm-fixture';
import { alarmKind } from './alarm-kind';

const redrive = <button type="button">Redrive DLQ</button>;
const replay = <button type="button">Replay last 24 h</button>;
const dlq = alarmFixture({
  name: 'ledgerline-local-processing-dlq-depth',
  resource: { kind: 'queue', id: 'processing' },
});

/** The HTML of the section's part outside any collapsed <details>. */
const outsideDetails = (html: string) => html.replace(/<details[\s\S]*?<\/details>/g, '');

describe('the alarm page: diagnosis first, then the move that fits the alarm', () => {
  it('makes the incident view the primary action of a downstream alarm and folds replay and redrive away', () => {
    const downstream = alarmFixture({ state: 'ALARM' });
    expect(alarmKind(downstream)).toBe('incident');
    const html = renderStatic(<NextStep alarm={downstream} redrive={redrive} otherActions={replay} />);
    expect(html).toMatch(
      /^<section aria-label="Next step"[^>]*><a [^>]*class="rounded bg-accent[^"]*"[^>]*>Open incident view<\/a>/,
    );
    // Replay and redrive only inside a collapsed <details>: never the primary button.
    expect(html).toMatch(
      /<details class="text-sm"><summary[^>]*>Other actions \(replay, redrive\)<\/summary>.*Redrive DLQ.*Replay last 24 h/,
    );
    expect(html).not.toMatch(/<details[^>]* open/);
  });

  it('leads with the redrive on a DLQ alarm, the incident view as a secondary link, the replay folded away', () => {
    expect(alarmKind(dlq)).toBe('dlq');
    const html = renderStatic(<NextStep alarm={dlq} redrive={redrive} otherActions={replay} />);
    const visible = outsideDetails(html);
    expect(visible.indexOf('Redrive DLQ')).toBeGreaterThan(-1);
    expect(visible.indexOf('Redrive DLQ')).toBeLessThan(visible.indexOf('Open incident view'));
    expect(visible).toMatch(/<a [^>]*class="rounded border[^"]*"[^>]*>Open incident view/);
    // The replay is not beside the redrive: only under the collapsed "Other actions (replay)".
    expect(visible).not.toContain('Replay last 24 h');
    expect(html).toMatch(
      /<details class="text-sm"><summary[^>]*>Other actions \(replay\)<\/summary>.*Replay last 24 h/,
    );
    expect(html).not.toMatch(/<details[^>]* open/);
  });

  it('shows no "Other actions" on a DLQ alarm when the caller may not replay', () => {
    const html = renderStatic(<NextStep alarm={dlq} redrive={redrive} />);
    expect(html).not.toContain('<details');
    expect(html).toContain('Redrive DLQ');
  });

  it('styles the replay trigger as a secondary button where a replay is not the first move', () => {
    const props = { role: 'operator', archive: 'ledgerline-local-archive', ingestionLagSeconds: 300 } as const;
    const trigger = (html: string) => /<button[^>]*class="([^"]*)"[^>]*>Replay last 24 h<\/button>/.exec(html)?.[1];
    const client = new QueryClient();
    expect(trigger(renderStatic(<ReplayAction {...props} secondary />, { client }))).toMatch(/^rounded border/);
    expect(trigger(renderStatic(<ReplayAction {...props} />, { client }))).toMatch(/^rounded bg-accent/);
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
