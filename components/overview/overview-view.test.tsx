import { AppRouterContext } from 'next/dist/shared/lib/app-router-context.shared-runtime';
import { PathnameContext, SearchParamsContext } from 'next/dist/shared/lib/hooks-client-context.shared-runtime';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { prerenderToNodeStream } from 'react-dom/static';
import { describe, expect, it } from 'vitest';
import { testRouter } from '@/components/testing/render-static';
import { runningRedrive } from '@/components/testing/task-fixtures';
import { resolveRange, type Overview, type RangeInput } from '@/server/ops/read/read.schema';
import { overviewKeys } from './data/keys';
import { OverviewView } from './overview-view';

const range: RangeInput = { range: '1h' };
const stats = (name: string, visible: number) => ({ name, visible, inFlight: 0, oldestAgeSeconds: visible ? 90 : 0 });
const overview: Overview = {
  generatedAt: '2026-12-06T12:00:00.000Z',
  range: resolveRange(range, Date.parse('2026-12-06T12:00:00.000Z')),
  regions: [
    {
      region: { id: 'eu-west-1', primary: true, healthy: true },
      firingAlarms: [],
      alarmCounts: { ALARM: 0, OK: 4, INSUFFICIENT_DATA: 0 },
      queues: [
        {
          id: 'processing',
          region: 'eu-west-1',
          source: stats('processing', 3),
          dlq: stats('processing-dlq', 1234),
          maxReceiveCount: 3,
        },
      ],
    },
  ],
  sagaOutcomes: { succeeded: 4321, compensated: 12, failed: 1, running: 7, runningCapped: false },
  throughput: [],
  activeReplays: [],
  activeRedrives: [runningRedrive],
};

/** The page's server render: every Suspense boundary resolved, as the HTML the browser first receives. */
async function serverHtml(client: QueryClient): Promise<string> {
  const { prelude } = await prerenderToNodeStream(
    <AppRouterContext.Provider value={testRouter}>
      <PathnameContext.Provider value="/">
        <SearchParamsContext.Provider value={new URLSearchParams()}>
          <QueryClientProvider client={client}>
            <OverviewView range={range} role="viewer" names={{ 'op-1': 'Omar Operator' }} />
          </QueryClientProvider>
        </SearchParamsContext.Provider>
      </PathnameContext.Provider>
    </AppRouterContext.Provider>,
  );
  let html = '';
  for await (const chunk of prelude) html += String(chunk);
  return html;
}

describe('the overview’s server render', () => {
  it('arrives with its first data when the query cache holds it (no client fetch before it shows)', async () => {
    const client = new QueryClient();
    client.setQueryData(overviewKeys.range(range), overview);
    const html = await serverHtml(client);
    expect(html).toContain('id="region-eu-west-1"');
    expect(html).toContain('data-testid="dlq-depth-processing">1,234<');
    expect(html).toContain('4,321');
    expect(html).toMatch(/by (<!-- -->)?Omar Operator/);
    expect(html).not.toContain('Loading the overview');
    // The clock-dependent "updated N s ago" waits for the browser (server and hydration agree).
    expect(html).toContain('Updated just now');
    expect(html).not.toMatch(/Updated \d+ (s|min) ago/);
  });

  it('shows its skeleton when the server could not read the data', async () => {
    const html = await serverHtml(new QueryClient());
    expect(html).toContain('Loading the overview');
    expect(html).not.toContain('id="region-eu-west-1"');
  });
});
