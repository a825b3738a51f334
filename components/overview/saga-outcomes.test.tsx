import { describe, expect, it } from 'vitest';
import { sagasViewProps } from '@/app/(console)/sagas/view-props';
import type { SagasViewProps } from '@/components/sagas/sagas-view';
import { renderStatic } from '@/components/testing/render-static';
import { SagaOutcomes } from './saga-outcomes';

/** What the sagas page hands its view for a URL (the lists it will actually show). */
function viewPropsFor(href: string): SagasViewProps {
  return sagasViewProps(Object.fromEntries(new URL(href, 'http://console').searchParams));
}

function tileHref(label: string): string {
  const html = renderStatic(
    <SagaOutcomes
      outcomes={{ succeeded: 10, compensated: 2, failed: 1, running: 7, runningCapped: false }}
      range={{ range: '1h' }}
    />,
  );
  const href = new RegExp(`<a[^>]*href="([^"]+)"[^>]*>(?:(?!</a>).)*${label}`).exec(html)?.[1];
  if (!href) throw new Error(`no tile ${label}`);
  return href.replaceAll('&amp;', '&');
}

describe('the overview’s saga outcome tiles', () => {
  it('open, from “Running now”, the RUNNING and COMPENSATING sagas of any age, which is what the tile counts', () => {
    // The tile counts both in-flight statuses without a time bound (server/ops/read/overview.ts).
    const { filters, inFlight } = viewPropsFor(tileHref('Running now'));
    expect({
      inFlight,
      status: filters.status,
      range: filters.range,
      from: filters.from,
      to: filters.to,
    }).toEqual({ inFlight: true, status: undefined, range: undefined, from: undefined, to: undefined });
  });

  it('open the finished outcomes over the overview’s own range', () => {
    const { filters, inFlight } = viewPropsFor(tileHref('Compensated'));
    expect({ inFlight, status: filters.status, range: filters.range }).toEqual({
      inFlight: undefined,
      status: 'COMPENSATED',
      range: '1h',
    });
  });
});
