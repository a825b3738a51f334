import { describe, expect, it } from 'vitest';
import { breakerState, decideBreaker, type MappingSnapshot } from './mapping-breaker';

const settings = {
  fullConcurrency: 23,
  probeConcurrency: 2,
  openSeconds: 300,
  halfOpenSeconds: 300,
  processingEnabled: true,
};
const t0 = 1_700_000_000_000;
const closed: MappingSnapshot = { enabled: true, maxConcurrency: 23, lastModified: t0 };

describe('circuit breaker over the event source mapping', () => {
  it('opens (disables the mapping) when the downstream alarm fires', () => {
    const a = decideBreaker('ALARM', closed, settings, t0 + 1000);
    expect(a).toMatchObject({ kind: 'update', from: 'closed', to: 'open', enabled: false });
  });

  it('stays open while the alarm fires and until the open period has passed', () => {
    const open = { enabled: false, maxConcurrency: 23, lastModified: t0 };
    expect(decideBreaker('ALARM', open, settings, t0 + 600_000).kind).toBe('none');
    expect(decideBreaker('OK', open, settings, t0 + 299_000).kind).toBe('none');
  });

  it('probes half-open at the probe concurrency once the alarm cleared and the open period passed', () => {
    const open = { enabled: false, maxConcurrency: 23, lastModified: t0 };
    expect(decideBreaker('OK', open, settings, t0 + 300_000)).toMatchObject({
      kind: 'update',
      to: 'half-open',
      enabled: true,
      maxConcurrency: 2,
    });
    expect(decideBreaker('INSUFFICIENT_DATA', open, settings, t0 + 300_000)).toMatchObject({ to: 'half-open' });
  });

  it('re-opens when the probe fails and closes at full concurrency when it holds', () => {
    const half = { enabled: true, maxConcurrency: 2, lastModified: t0 };
    expect(breakerState(half, settings)).toBe('half-open');
    expect(decideBreaker('ALARM', half, settings, t0 + 10_000)).toMatchObject({
      from: 'half-open',
      to: 'open',
      enabled: false,
    });
    expect(decideBreaker('OK', half, settings, t0 + 100_000).kind).toBe('none');
    expect(decideBreaker('OK', half, settings, t0 + 300_000)).toMatchObject({
      to: 'closed',
      enabled: true,
      maxConcurrency: 23,
    });
  });

  it('never enables a mapping outside the write region', () => {
    const open = { enabled: false, maxConcurrency: 23, lastModified: t0 };
    expect(decideBreaker('OK', open, { ...settings, processingEnabled: false }, t0 + 3_600_000).kind).toBe('none');
  });

  it('rejects a probe concurrency below the SQS mapping minimum of 2', () => {
    expect(() => decideBreaker('OK', closed, { ...settings, probeConcurrency: 1 }, t0)).toThrow(RangeError);
  });
});
