/**
 * Replay window presets, zod-free for the client bundle. Mirrors `presetWindow` in
 * server/ops/ops.schema.ts (the server re-validates every window it receives).
 */
export const replayPresets = { '1h': 1, '6h': 6, '24h': 24 } as const;
export type ReplayPreset = keyof typeof replayPresets;

export function presetWindow(preset: ReplayPreset, now: number, lagSeconds: number): { start: string; end: string } {
  const end = now - lagSeconds * 1000;
  return { start: new Date(end - replayPresets[preset] * 3_600_000).toISOString(), end: new Date(end).toISOString() };
}
