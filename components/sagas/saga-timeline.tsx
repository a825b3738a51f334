import { sagaDefinition } from '@/infra/saga/definition';
import type { SagaStepRecord } from '@/server/platform/platform.schema';
import { SagaStepItem } from './saga-step-item';

const undoes = new Map<string, string>(
  sagaDefinition.steps.filter((s) => s.compensation).map((s) => [s.compensation!, s.name]),
);

/**
 * The saga's timeline in execution order: the forward steps, then (indented, ↩) the
 * compensations that undo the completed steps in reverse order.
 */
export function SagaTimeline({ steps }: { steps: SagaStepRecord[] }) {
  const forward = steps.filter((s) => s.kind === 'step');
  const compensations = steps.filter((s) => s.kind === 'compensation');
  const ran = compensations.filter((c) => c.state !== 'PENDING' && c.state !== 'SKIPPED');
  return (
    <div className="space-y-4">
      <div>
        <h3 className="mb-2 text-sm font-semibold">Steps</h3>
        <ol aria-label="Steps" className="space-y-2">
          {forward.map((s) => (
            <SagaStepItem key={`step-${s.name}`} step={s} />
          ))}
        </ol>
      </div>
      {compensations.length ? (
        <div>
          <h3 className="mb-1 text-sm font-semibold">Compensation path</h3>
          <p className="mb-2 text-xs text-fg-muted" data-testid="compensation-path">
            {ran.length ? ran.map((c) => c.name).join(' → ') : 'No compensation has run'} (completed steps undone in
            reverse order)
          </p>
          <ol aria-label="Compensations" className="space-y-2">
            {compensations.map((c) => (
              <SagaStepItem
                key={`comp-${c.name}`}
                step={c}
                note={undoes.has(c.name) ? `undoes ${undoes.get(c.name)}` : undefined}
              />
            ))}
          </ol>
        </div>
      ) : null}
    </div>
  );
}
