import { describe, expect, it } from 'vitest';
import { presetWindow } from './replay-window.schema';

describe('the client bundle’s zod-free replay window presets', () => {
  it('compute the same windows and limits as the server’s schemas', () => {
    const now = Date.parse('2026-03-01T12:34:56.789Z');
    expect(presetWindow('24h', now, 300)).toEqual({
      start: '2026-02-28T12:29:56.789Z',
      end: '2026-03-01T12:29:56.789Z',
    });
  });
});
