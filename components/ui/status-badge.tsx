export type Tone = 'ok' | 'warn' | 'danger' | 'neutral' | 'accent';

const tones: Record<Tone, string> = {
  ok: 'border-ok text-ok',
  warn: 'border-warn text-warn',
  danger: 'border-danger text-danger',
  neutral: 'border-border text-fg-muted',
  accent: 'border-accent text-accent',
};

/** A state pill; the colour repeats the text, never replaces it. */
export function StatusBadge({ tone, children }: { tone: Tone; children: string }) {
  return (
    <span className={`inline-block rounded border px-1.5 py-0.5 text-xs font-semibold ${tones[tone]}`}>{children}</span>
  );
}

export const stateTone: Record<string, Tone> = {
  ALARM: 'danger',
  INSUFFICIENT_DATA: 'warn',
  OK: 'ok',
  RUNNING: 'accent',
  STARTING: 'accent',
  SUCCEEDED: 'ok',
  COMPLETED: 'ok',
  COMPENSATING: 'warn',
  COMPENSATED: 'warn',
  CANCELLING: 'warn',
  CANCELLED: 'neutral',
  FAILED: 'danger',
  PENDING: 'neutral',
  SKIPPED: 'neutral',
};

export function StateBadge({ state }: { state: string }) {
  return <StatusBadge tone={stateTone[state] ?? 'neutral'}>{state}</StatusBadge>;
}
