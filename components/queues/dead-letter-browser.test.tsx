import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { renderStatic } from '@/components/testing/render-static';
import type { DeadLetterMessage, Page } from '@/server/platform/platform.schema';
import { queueKeys } from './data/keys';
import { DeadLetterBrowser } from './dead-letter-browser';

const message: DeadLetterMessage = {
  id: 'm300',
  queueId: 'processing',
  body: '{"detail":{"transactionId":"tx-0300"}}',
  attributes: {},
  receiveCount: 4,
  sourceQueue: 'ledgerline-staging-processing',
  lastError: 'TransientError: downstream timeout',
  sentAt: '2026-11-26T09:00:00.000Z',
  deadLetteredAt: '2026-11-26T09:01:40.000Z',
  transactionId: 'tx-0300',
};

/** The browser with the page the API answered for `search` (its first page) already in the cache. */
function render(search: string, page: Page<DeadLetterMessage>): string {
  const client = new QueryClient();
  client.setQueryData(queueKeys.deadLetters('processing', { search }), page);
  return renderStatic(<DeadLetterBrowser queueId="processing" search={search} />, {
    client,
    pathname: '/queues/processing',
    searchParams: new URLSearchParams({ search }),
  });
}

describe('the dead-letter browser searching an SQS DLQ', () => {
  it('says how much it searched and offers to continue, never "no match", when a search page ends with messages left', () => {
    const html = render('tx-0300', {
      items: [],
      nextCursor: 'dl2.140.AAAAAA',
      scanned: { searched: 140, approximateTotal: 500 },
    });
    expect(html).not.toContain('No dead letter matches');
    expect(html).toContain('No match for “tx-0300” yet');
    expect(html).toContain('Searched 140 of about 500 dead letters so far. The rest have not been searched yet.');
    expect(html).toMatch(/<button[^>]*>Continue searching<\/button>/);
  });

  it('says there is no match, with how many it searched, once the search has seen the whole DLQ', () => {
    const html = render('tx-9999', {
      items: [],
      nextCursor: null,
      scanned: { searched: 35, approximateTotal: 35 },
    });
    expect(html).toContain('No dead letter matches “tx-9999”');
    expect(html).toContain('Searched 35 of about 35 dead letters.');
    expect(html).not.toContain('Continue searching');
  });

  it('shows the matches with how far the search got, and leaves the depth out when it is unknown', () => {
    const html = render('tx-0300', {
      items: [message],
      nextCursor: 'dl2.420.AAAAAA',
      scanned: { searched: 420, approximateTotal: null },
    });
    expect(html).toContain('tx-0300');
    expect(html).toContain('Searched 420 dead letters so far. The next page continues the search.');
  });

  it('says the search cannot get further, never "no match" nor "continue", when SQS keeps handing out messages it already examined', () => {
    const html = render('tx-0777', {
      items: [],
      nextCursor: null,
      scanned: { searched: 600, approximateTotal: 1000, limitReached: true },
    });
    expect(html).not.toContain('No dead letter matches');
    expect(html).not.toContain('Continue searching');
    expect(html).toContain('No match for “tx-0777” among the dead letters the console can search');
    expect(html).toContain('Searched the first 600 of about 1,000 dead letters: the console cannot search further');
  });

  it('searches before the page has hydrated too: a GET form whose box is the page’s search parameter', () => {
    const html = render('tx-0300', { items: [message], nextCursor: null });
    expect(html).toMatch(/<form role="search" aria-label="Dead letters"[^>]* method="get"/);
    expect(html).toMatch(/<input id="dlq-search"(?=[^>]* name="search")[^>]* value="tx-0300"/);
  });
});
