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

  it('gives the JSON text it measured only when it is exactly the accepted envelope’s JSON', () => {
    const plain = parseEnvelope(event);
    expect(plain.ok && plain.text).toBe(JSON.stringify(plain.ok && plain.event));
    const { detail, ...head } = event;
    const reordered = { detail, ...head };
    const r = parseEnvelope(reordered); // zod's copy has the schema's key order: another text
    expect(r.ok && r.text).toBeUndefined();
    const extra = parseEnvelope({ ...event, unknownKey: 1 }); // dropped by the schema
    expect(extra.ok && extra.text).toBeUndefined();
    const custom = parseEnvelope({ ...event, toJSON: () => ({ other: true }) });
    expect(custom.ok && custom.text).toBeUndefined();
    const fromText = parseEnvelope(JSON.stringify(event)); // text input: may carry other spacing
    expect(fromText.ok && fromText.text).toBeUndefined();
  });

  it('rejects malformed JSON and oversized payloads', () => {
    expect(parseEnvelope('{"id":')).toMatchObject({ ok: false, code: 'malformed' });
    const big = JSON.stringify({ ...event, pad: 'é'.repeat(MAX_EVENT_BYTES / 2) });
    expect(parseEnvelope(big)).toMatchObject({ ok: false, code: 'oversized' });
  });
  it('measures the limit in UTF-8 bytes: 3-byte characters count three times, ASCII once', () => {
    const base = JSON.stringify({ ...event, pad: '' }).length;
    const euros = JSON.stringify({ ...event, pad: '€'.repeat(Math.ceil((MAX_EVENT_BYTES - base) / 3) + 1) });
    expect(euros.length).toBeLessThan(MAX_EVENT_BYTES / 2);
    expect(parseEnvelope(euros)).toMatchObject({ ok: false, code: 'oversized' });
    const ascii = JSON.stringify({ ...event, pad: 'a'.repeat(MAX_EVENT_BYTES - base) });
    expect(ascii.length).toBe(MAX_EVENT_BYTES);
    expect(parseEnvelope(ascii).ok).toBe(true);
    expect(parseEnvelope(JSON.stringify({ ...event, pad: 'a'.repeat(MAX_EVENT_BYTES - base + 1) }))).toMatchObject({
      ok: false,
      code: 'oversized',
    });
  });
});
