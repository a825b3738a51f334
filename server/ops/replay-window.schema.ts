/**
 * Replay window presets: the window ends `lag` before now (archive ingestion lag). Zod-free, so
 * the replay form imports it without zod in the client bundle; the server re-validates every
 * window it receives (ops.schema.ts).
 */
export const replayPresets = { '1h': 1, '6h': 6, '24h': 24 } as const;
export type ReplayPreset = keyof typeof replayPresets;

export function presetWindow(preset: ReplayPreset, now: number, lagSeconds: number): { start: string; end: string } {
  const end = now - lagSeconds * 1000;
  return { start: new Date(end - replayPresets[preset] * 3_600_000).toISOString(), end: new Date(end).toISOString() };
}
