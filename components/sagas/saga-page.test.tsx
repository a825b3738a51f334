import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { renderStatic } from '@/components/testing/render-static';
import type { SagaIntervention } from '@/server/ops/ops.schema';
import { SagaActionPanel } from './compensate-action';
import { sagaKeys } from './data/keys';
import { LedgerEffect } from './ledger-effect';
import { SagaBannerNote } from './saga-detail-view';
import { compensatedAfterRetries, sagaFixture } from './saga-fixture';
import { SagaInterventions } from './saga-interventions';
import { SagaStepItem } from './saga-step-item';

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&apos;/g, "'")
    .replace(/\s+/g, ' ');
const buttons = (html: string) =>
  [...html.matchAll(/<button[^>]*>(.*?)<\/button>/g)].map((m) => ({
    name: text(m[1]!).trim(),
    disabled: /\sdisabled=""/.test(m[0]),
  }));

describe('the saga action panel', () => {
  it('offers no Compensate on a COMPENSATED saga, and says nothing is left to undo', () => {
    const html = renderStatic(<SagaActionPanel saga={compensatedAfterRetries()} />);
    expect(buttons(html).map((b) => b.name)).not.toContainEqual(expect.stringMatching(/^Compensate|^Resume/));
    expect(text(html)).toContain('Compensated: nothing is left to undo.');
  });

  it('offers no Compensate on a COMPENSATING saga, only Resume', () => {
    const html = renderStatic(<SagaActionPanel saga={sagaFixture('COMPENSATING')} />);
    expect(buttons(html).map((b) => b.name)).toEqual(['Resume : preview its effect']);
  });

  it('offers one Compensate that opens the ledger-effect preview itself: no mode toggle, no second button', () => {
    const html = renderStatic(<SagaActionPanel saga={sagaFixture('FAILED')} />);
    expect(buttons(html)).toEqual([
      { name: 'Compensate : preview ledger effect', disabled: false },
      { name: 'Resume : preview its effect', disabled: false },
    ]);
    expect(html).not.toContain('aria-pressed');
  });

  it('keeps Compensate of a SUCCEEDED saga disabled behind the "reverse a completed payment" confirmation', () => {
    const html = renderStatic(<SagaActionPanel saga={sagaFixture('SUCCEEDED')} />);
    expect(buttons(html)).toEqual([{ name: 'Compensate : preview ledger effect', disabled: true }]);
    expect(html).toMatch(/<input type="checkbox"/);
    expect(text(html)).toContain(
      'Reverse a completed payment: this saga SUCCEEDED, so compensating it refunds USD 455.77 of transaction tx-1.',
    );
  });
});

describe('the ledger effect table (saga preview and approval card)', () => {
  const preview = {
    actions: [
      {
        compensation: 'ReverseLedger',
        description: 'Reverse the ledger post: move 45577 USD from acct-2 back to acct-1',
        account: 'acct-2',
        amount: 45577,
      },
    ],
  };

  it('shows amounts from minor units with the currency, in the description too', () => {
    const t = text(renderStatic(<LedgerEffect preview={preview} currency="USD" />));
    expect(t).toContain('move USD 455.77 from acct-2');
    expect(t).toContain('acct-2 USD 455.77');
    expect(t).not.toContain('45577');
  });

  it('says an amount is in minor units when the currency is unknown', () => {
    expect(text(renderStatic(<LedgerEffect preview={preview} currency={null} />))).toContain('45577 (minor units)');
  });
});

describe('the saga page', () => {
  it('shows no red banner on a COMPENSATED saga whose compensation failed on earlier attempts', () => {
    const html = renderStatic(<SagaBannerNote saga={compensatedAfterRetries()} />);
    expect(html).toContain('data-tone="info"');
    expect(html).not.toContain('border-danger');
    expect(text(html)).not.toContain('VoidSettlement failed');
  });

  it('shows every attempt of a compensation that succeeded on its 5th, with the earlier error as history', () => {
    const step = compensatedAfterRetries().steps.find((s) => s.name === 'VoidSettlement')!;
    const t = text(renderStatic(<SagaStepItem step={step} />));
    expect(t).toContain('5 attempts');
    for (const n of [1, 2, 3, 4]) expect(t).toContain(`Attempt ${n}: failed`);
    expect(t).toContain('Attempt 5: succeeded');
    expect(t).toContain('An earlier attempt failed: DownstreamUnavailable');
  });

  it('marks who requested and who approved a compensation', () => {
    const intervention: SagaIntervention = {
      action: 'saga.compensate',
      approvalId: 'apr-1',
      requestedBy: { id: 'u-operator', name: 'Omar Operator' },
      requestedAt: '2026-12-06T22:06:00.000Z',
      reason: 'customer disputed the transfer',
      ticket: 'INC-1234',
      decidedBy: { id: 'u-approver', name: 'Ada Approver', decision: 'approved', at: '2026-12-06T22:07:00.000Z' },
      outcome: 'succeeded',
    };
    const client = new QueryClient();
    client.setQueryData(sagaKeys.interventions('saga-1', 'COMPENSATED'), [intervention]);
    const t = text(renderStatic(<SagaInterventions sagaId="saga-1" status="COMPENSATED" />, { client }));
    expect(t).toContain('Compensation requested by Omar Operator at 2026-12-06 22:06:00 UTC · INC-1234');
    expect(t).toContain('Approved by Ada Approver at 2026-12-06 22:07:00 UTC · ran');
  });
});
