import { describe, expect, it } from 'vitest';
import { replayPresets as serverPresets, presetWindow as serverPresetWindow } from '@/server/ops/ops.schema';
import { presetWindow, replayPresets } from './replay-window';

describe('the client bundle’s zod-free replay window presets', () => {
  it('compute the same windows and limits as the server’s schemas', () => {
    expect(replayPresets).toEqual(serverPresets);
    const now = Date.parse('2026-03-01T12:34:56.789Z');
    for (const preset of ['1h', '6h', '24h'] as const) {
      expect(presetWindow(preset, now, 300)).toEqual(serverPresetWindow(preset, now, 300));
    }
    expect(presetWindow('24h', now, 300)).toEqual({
      start: '2026-02-28T12:29:56.789Z',
      end: '2026-03-01T12:29:56.789Z',
    });
  });
});
