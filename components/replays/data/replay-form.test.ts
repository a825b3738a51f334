import { describe, expect, it } from 'vitest';
import {
  initialReplayForm,
  replayFormReducer,
  replayRequest,
  replayStartBody,
  type ReplayFormState,
} from './replay-form';

const lag = 600;
const t0 = Date.parse('2026-11-26T03:00:00.000Z');

/** The form right after "Preview" of its current inputs at time `now`. */
function previewedAt(state: ReplayFormState, now: number): ReplayFormState {
  return replayFormReducer(state, { type: 'previewed', body: replayRequest(state, 'ledger-bus-archive', now, lag) });
}

describe('the replay form’s confirmation', () => {
  it('starts exactly the previewed window, even minutes after the preview (no preset recomputed at submit)', () => {
    const form = previewedAt(initialReplayForm('24h', t0, lag), t0);
    const fiveMinutesLater = replayRequest(form, 'ledger-bus-archive', t0 + 5 * 60_000, lag);
    const started = replayStartBody(form.previewed!, 'outage re-delivery', 'INC-7');
    expect(started.window).toEqual(form.previewed!.window);
    expect(started.window).not.toEqual(fiveMinutesLater.window);
    expect(started).toEqual({ ...form.previewed, reason: 'outage re-delivery', ticket: 'INC-7' });
  });

  it('discards the preview when the custom From or To changes', () => {
    const custom = previewedAt(initialReplayForm('custom', t0, lag), t0);
    expect(custom.previewed).not.toBeNull();
    const from = replayFormReducer(custom, {
      type: 'edit',
      change: { custom: { ...custom.custom, start: '2026-11-25T00:00:00.000Z' } },
    });
    const to = replayFormReducer(custom, {
      type: 'edit',
      change: { custom: { ...custom.custom, end: '2026-11-26T01:00:00.000Z' } },
    });
    expect([from.previewed, to.previewed]).toEqual([null, null]);
    expect(from.custom.start).toBe('2026-11-25T00:00:00.000Z');
  });

  it('discards the preview when the sources or detail types change', () => {
    const form = previewedAt(initialReplayForm('6h', t0, lag), t0);
    expect(replayFormReducer(form, { type: 'edit', change: { source: 'payment.validation' } }).previewed).toBeNull();
    expect(
      replayFormReducer(form, { type: 'edit', change: { detailType: 'TransactionSubmitted' } }).previewed,
    ).toBeNull();
  });

  it('discards the preview when another preset is chosen', () => {
    const form = previewedAt(initialReplayForm('24h', t0, lag), t0);
    expect(replayFormReducer(form, { type: 'edit', change: { preset: '1h' } }).previewed).toBeNull();
  });

  it('previews the pattern the operator typed, as trimmed lists without empty entries', () => {
    const form = replayFormReducer(initialReplayForm('1h', t0, lag), {
      type: 'edit',
      change: { source: ' transaction.processing , payment.validation,', detailType: '' },
    });
    expect(replayRequest(form, 'ledger-bus-archive', t0, lag).pattern).toEqual({
      source: ['transaction.processing', 'payment.validation'],
    });
  });
});
