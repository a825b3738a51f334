import { formatDuration, formatTime, prettyJson } from '@/components/ui/format';
import { StateBadge } from '@/components/ui/status-badge';
import type { SagaStepRecord } from '@/server/platform/platform.schema';
import { attemptsOf } from './saga-state';

/** One step or compensation of a saga's timeline: state, start, duration, attempts, input, output, error. */
export function SagaStepItem({ step, note }: { step: SagaStepRecord; note?: string }) {
  const compensation = step.kind === 'compensation';
  // The platform's record of every attempt (with its error) when it has one; else what the count says.
  const attempts: { n: number; outcome: string; error?: string | null }[] = step.attemptsDetail ?? attemptsOf(step);
  return (
    <li
      aria-label={`${compensation ? 'Compensation' : 'Step'} ${step.name}: ${step.state}`}
      className={`rounded border p-3 text-sm ${compensation ? 'ml-8 border-warn/70 border-l-4 bg-surface-raised' : 'border-border bg-surface-raised'} ${step.state === 'FAILED' ? 'border-danger' : ''}`}
    >
      <div className="flex flex-wrap items-center gap-2">
        <span aria-hidden="true">{compensation ? '↩' : '→'}</span>
        <span className="font-semibold">{step.name}</span>
        <StateBadge state={step.state} />
        {note ? <span className="text-xs text-fg-muted">{note}</span> : null}
        <span className="ml-auto text-xs text-fg-muted">
          {formatTime(step.startedAt)} · {formatDuration(step.startedAt, step.endedAt)} · {step.attempts} attempt
          {step.attempts === 1 ? '' : 's'}
        </span>
      </div>
      {attempts.length > 1 ? (
        <ol aria-label={`Attempts of ${step.name}`} className="mt-2 flex flex-wrap gap-1 text-xs">
          {attempts.map((a) => (
            <li
              key={a.n}
              className={`rounded border px-1.5 py-0.5 ${a.outcome === 'failed' ? 'border-danger/60 text-danger' : 'border-border'}`}
            >
              Attempt {a.n}: {a.outcome}
              {a.error ? <span className="font-mono"> ({a.error})</span> : null}
            </li>
          ))}
        </ol>
      ) : null}
      {step.error ? (
        <p
          className={`mt-2 rounded px-2 py-1 font-mono text-xs ${step.state === 'FAILED' || step.state === 'RUNNING' ? 'bg-danger/10 text-danger' : 'bg-surface text-fg-muted'}`}
        >
          {step.state === 'FAILED' || step.state === 'RUNNING' ? '' : 'An earlier attempt failed: '}
          {step.error}
        </p>
      ) : null}
      {step.input || step.output ? (
        <details className="mt-2">
          <summary className="cursor-pointer text-xs text-fg-muted">Input and output</summary>
          <div className="mt-2 grid gap-2 md:grid-cols-2">
            {(['input', 'output'] as const).map((k) => (
              <div key={k}>
                <p className="text-xs text-fg-muted">{k === 'input' ? 'Input' : 'Output'}</p>
                <pre
                  tabIndex={0}
                  aria-label={`${step.name} ${k}`}
                  className="max-h-60 overflow-auto rounded bg-surface p-2 font-mono text-xs"
                >
                  {step[k] ? prettyJson(step[k]) : '—'}
                </pre>
              </div>
            ))}
          </div>
        </details>
      ) : null}
    </li>
  );
}
