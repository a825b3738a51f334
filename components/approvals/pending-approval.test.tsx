import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatTime } from '@/components/ui/format';
import type { Approval } from '@/server/approvals/approval.schema';
import { approvalFixture } from './data/approval-fixture';
import { approvalKeys } from './data/keys';
import { PendingApproval } from './pending-approval';

const tz = process.env.TZ;
beforeEach(() => {
  process.env.TZ = 'America/New_York'; // an on-call engineer's laptop
});
afterEach(() => {
  process.env.TZ = tz;
});

const expiresAt = '2026-11-26T04:00:00.000Z';

/** The notice as the server renders it, with the request's last poll (if any) in the cache. */
function notice(approval?: Approval | null) {
  const client = new QueryClient();
  if (approval !== undefined) client.setQueryData(approvalKeys.detail('apr-1'), approval);
  return renderToStaticMarkup(
    <QueryClientProvider client={client}>
      <PendingApproval approvalId="apr-1" expiresAt={expiresAt} onClose={() => undefined} />
    </QueryClientProvider>,
  );
}
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&apos;/g, "'")
    .replace(/\s+/g, ' ');

describe('the "waiting for approval" notice', () => {
  it('states the expiry in UTC like every other time in the console', () => {
    expect(notice()).toContain(formatTime(expiresAt)); // "2026-11-26 04:00:00 UTC"
  });

  it('says it waits for a second person while the request is pending, naming the request', () => {
    expect(text(notice(approvalFixture()))).toContain("Waiting for a second person's approval (request apr-1");
  });

  it('says who approved it and that it ran, once the request is executed', () => {
    const html = text(
      notice(
        approvalFixture({
          status: 'EXECUTED',
          decidedByName: 'Ada Approver',
          decidedAt: '2026-11-26T03:10:00.000Z',
          result: '{}',
        }),
      ),
    );
    expect(html).toContain('Approved by Ada Approver at 2026-11-26 03:10:00 UTC and executed');
    expect(html).not.toContain('Waiting');
  });

  it('says who rejected it and why', () => {
    const html = text(
      notice(
        approvalFixture({
          status: 'REJECTED',
          decidedByName: 'Ada Approver',
          decidedAt: '2026-11-26T03:10:00.000Z',
          decisionComment: 'the customer withdrew the dispute',
        }),
      ),
    );
    expect(html).toContain('Rejected by Ada Approver at 2026-11-26 03:10:00 UTC');
    expect(html).toContain('the customer withdrew the dispute');
  });

  it('gives the server’s reason when the approved action failed', () => {
    const error = 'queueId: the processing DLQ now holds 1026 messages but 1001 were approved';
    const html = text(
      notice(approvalFixture({ status: 'FAILED', decidedByName: 'Ada Approver', result: JSON.stringify({ error }) })),
    );
    expect(html).toContain('but it failed');
    expect(html).toContain(error);
  });

  it('says the request expired without a decision, in UTC', () => {
    const html = text(notice(approvalFixture({ status: 'EXPIRED' })));
    expect(html).toContain(`expired at ${formatTime(expiresAt)} without a decision`);
  });

  it('says when it cannot find the request any more instead of waiting forever', () => {
    expect(text(notice(null))).toContain('does not know this request');
  });

  it('can be closed in every state, and its status line can take focus', () => {
    for (const approval of [undefined, approvalFixture(), approvalFixture({ status: 'REJECTED' }), null]) {
      const html = notice(approval);
      expect(html).toMatch(/<button[^>]*>Close<\/button>/);
      expect(html).toMatch(/<p role="status" tabindex="-1"/);
    }
  });
});
