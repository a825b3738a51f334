import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
// eslint-disable-next-line import/no-restricted-paths -- a test, not client code: it compares the form with the server's real approval policy
import { defaultPolicy, redriveNeedsApproval } from '@/server/approvals/policy';
import { RedriveAction, type RedriveActionProps } from './redrive-action';

function ticketField(props: Omit<RedriveActionProps, 'role' | 'queueId'>) {
  const html = renderToStaticMarkup(
    <QueryClientProvider client={new QueryClient()}>
      <RedriveAction role="operator" queueId="processing" defaultOpen {...props} />
    </QueryClientProvider>,
  );
  const ticketInput = /<input[^>]*placeholder="INC-1234"[^>]*>/.exec(html)?.[0] ?? '';
  return {
    label: /Ticket( \(optional\))?/.exec(html)?.[0],
    required: /\srequired(=""|\s|\/|>)/.test(ticketInput),
  };
}

describe('the redrive form’s ticket field', () => {
  it('asks for the ticket the server requires above the approval threshold (it refuses with 422 "ticket: ..." otherwise)', () => {
    const depth = 1_500;
    // The server files this redrive for approval, and requestApproval() refuses it without a ticket
    // (server/ops/approval-request.ts: PlatformError('Invalid', 'ticket: ...')).
    expect(redriveNeedsApproval(defaultPolicy('production'), depth)).toBe(true);
    expect(ticketField({ depth })).toEqual({ label: 'Ticket', required: true });
  });

  it('keeps the ticket optional for a redrive the server starts without an approval', () => {
    const depth = defaultPolicy('production').redriveApprovalThreshold; // not more than the threshold
    expect(redriveNeedsApproval(defaultPolicy('production'), depth)).toBe(false);
    expect(ticketField({ depth })).toEqual({ label: 'Ticket (optional)', required: false });
  });

  it('decides by the number of selected messages, not the DLQ depth, for a selection', () => {
    const depth = 5_000;
    const messageIds = ['m-1', 'm-2', 'm-3'];
    expect(redriveNeedsApproval(defaultPolicy('production'), messageIds.length)).toBe(false);
    expect(ticketField({ depth, messageIds })).toEqual({ label: 'Ticket (optional)', required: false });
  });
});
