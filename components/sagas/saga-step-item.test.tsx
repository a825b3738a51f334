import { describe, expect, it } from 'vitest';
import { renderStatic } from '@/components/testing/render-static';
import type { SagaStepRecord } from '@/server/platform/platform.schema';
import { SagaStepItem } from './saga-step-item';

const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&#x27;/g, "'");
const at = (s: number) => new Date(Date.UTC(2026, 11, 7, 0, 0, s)).toISOString();

describe('a step item with the attempts the platform recorded', () => {
  it('lists every attempt with its own error, across the first run and the operator’s run', () => {
    const step: SagaStepRecord = {
      name: 'VoidSettlement',
      kind: 'compensation',
      state: 'SUCCEEDED',
      attempts: 3,
      startedAt: at(0),
      endedAt: at(30),
      input: null,
      output: null,
      error: 'TransientError: second',
      attemptsDetail: [
        { n: 1, startedAt: at(0), endedAt: at(1), outcome: 'failed', error: 'TransientError: first' },
        { n: 2, startedAt: at(2), endedAt: at(3), outcome: 'failed', error: 'TransientError: second' },
        { n: 3, startedAt: at(29), endedAt: at(30), outcome: 'succeeded', error: null },
      ],
    };
    const t = text(renderStatic(<SagaStepItem step={step} />));
    expect(t).toContain('3 attempts');
    expect(t).toContain('Attempt 1: failed (TransientError: first)');
    expect(t).toContain('Attempt 2: failed (TransientError: second)');
    expect(t).toContain('Attempt 3: succeeded');
    expect(t).not.toContain('Attempt 3: succeeded (');
  });
});
