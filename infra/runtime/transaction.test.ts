import { describe, expect, it } from 'vitest';
import { MAX_EVENT_BYTES, parseEnvelope, parseTransactionEvent, transactionEnvelope } from './transaction';

const tx = {
  transactionId: 'tx-1',
  fromAccount: 'acct-0001',
  toAccount: 'acct-0002',
  amount: 1250,
  currency: 'USD',
  createdAt: '2026-01-01T00:00:00.000Z',
};
const event = transactionEnvelope('evt-1', tx, '2026-01-01T00:00:01.000Z');

describe('parseTransactionEvent', () => {
  it('accepts a well-formed transaction event given as JSON text or as an object', () => {
    for (const raw of [JSON.stringify(event), event]) {
      const r = parseTransactionEvent(raw);
      expect(r.ok && r.event.transaction).toEqual(tx);
    }
  });

  it('rejects a fractional amount, naming the field', () => {
    const r = parseTransactionEvent({ ...event, detail: { ...tx, amount: 12.5 } });
    expect(r).toMatchObject({ ok: false, code: 'invalid' });
    expect(!r.ok && r.reason).toMatch(/^detail\.amount: must be an integer number of minor units/);
  });

  it('rejects a transfer to the same account', () => {
    const r = parseTransactionEvent({ ...event, detail: { ...tx, toAccount: tx.fromAccount } });
    expect(!r.ok && r.reason).toMatch(/detail\.toAccount: must differ from fromAccount/);
  });

  it('rejects unknown event types and sources with the reason', () => {
    expect(parseEnvelope({ ...event, 'detail-type': 'Nope' })).toMatchObject({ ok: false, code: 'unknown_type' });
    expect(parseEnvelope({ ...event, source: 'elsewhere' })).toMatchObject({ ok: false, code: 'unknown_type' });
  });

  it('rejects malformed JSON and oversized payloads', () => {
    expect(parseEnvelope('{"id":')).toMatchObject({ ok: false, code: 'malformed' });
    const big = JSON.stringify({ ...event, pad: 'é'.repeat(MAX_EVENT_BYTES / 2) });
    expect(parseEnvelope(big)).toMatchObject({ ok: false, code: 'oversized' });
  });
});
