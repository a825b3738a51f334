import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { renderStatic } from '@/components/testing/render-static';
import type { Approval } from '@/server/approvals/approval.schema';
import type { CompensationApprovalPreview } from '@/server/ops/ops.schema';
import { ApprovalEffect } from './approval-effect';
import { approvalFixture } from './data/approval-fixture';
import { approvalKeys } from './data/keys';
import { PendingCountBadge } from './pending-count-badge';

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

const preview = (status: 'FAILED' | 'SUCCEEDED'): CompensationApprovalPreview => ({
  sagaId: 'saga-1',
  mode: 'compensate',
  actions: [{ compensation: 'ReleaseFunds', description: 'Release the hold', account: 'acct-1', amount: 45577 }],
  saga: { id: 'saga-1', transactionId: 'tx-1', status, amount: 45577, currency: 'USD' },
});

describe('the approval card of a compensation', () => {
  it('shows the ledger-effect table in money and links to the saga, not raw JSON', () => {
    const a = approvalFixture({ preview: JSON.stringify(preview('FAILED')) });
    const html = renderStatic(<ApprovalEffect a={a} />);
    expect(html).toContain('<caption class="text-left font-medium">Ledger effect</caption>');
    expect(html).toContain('href="/sagas/saga-1"');
    expect(text(html)).toContain('transaction tx-1 · USD 455.77 · FAILED when requested');
    expect(text(html)).toContain('acct-1 USD 455.77');
    expect(html).not.toContain('<pre');
    expect(text(html)).not.toContain('reverses a completed payment');
  });

  it('warns the approver that compensating a SUCCEEDED saga reverses a completed payment', () => {
    const a = approvalFixture({ preview: JSON.stringify(preview('SUCCEEDED')) });
    expect(text(renderStatic(<ApprovalEffect a={a} />))).toContain(
      'This reverses a completed payment: the saga had SUCCEEDED.',
    );
  });

  it('keeps the preview data of other actions as it was', () => {
    const a = approvalFixture({ action: 'redrive.start', target: 'queue:processing', preview: '{"total":1500}' });
    expect(renderStatic(<ApprovalEffect a={a} />)).toContain('<pre');
  });
});

describe('the pending approvals badge', () => {
  const waiting = (over: Partial<Approval>[]) => {
    const client = new QueryClient();
    client.setQueryData(
      approvalKeys.pending(),
      over.map((o, i) => approvalFixture({ id: `apr-${i}`, ...o })),
    );
    return client;
  };

  it('counts the requests waiting for this approver, not their own', () => {
    const client = waiting([
      { requestedBy: 'u-operator' },
      { requestedBy: 'u-operator' },
      { requestedBy: 'u-approver' },
    ]);
    const html = renderStatic(<PendingCountBadge callerId="u-approver" role="approver" />, { client });
    expect(text(html)).toContain('2 , 2 waiting for your approval');
  });

  it('shows nothing to a role that cannot decide, or when nothing waits', () => {
    const client = waiting([{ requestedBy: 'u-someone' }]);
    expect(renderStatic(<PendingCountBadge callerId="u-operator" role="operator" />, { client })).toBe('');
    expect(renderStatic(<PendingCountBadge callerId="u-approver" role="approver" />, { client: waiting([]) })).toBe('');
  });
});
