import { describe, expect, it } from 'vitest';
import type { FailureClassSummary } from '@/server/platform/triage.schema';
import { classSelectionSummary, defaultRedriveClasses } from './class-selection';

const at = '2026-12-07T00:00:00.000Z';
const cls = (classId: string, verdict: 'retryable' | 'permanent', count: number): FailureClassSummary => ({
  classId,
  queueId: 'processing',
  errorType: verdict === 'retryable' ? 'ProcessorOutage' : 'PoisonMessageError',
  step: 'process',
  normalisedMessage: 'x',
  verdict,
  count,
  firstSeen: at,
  lastSeen: at,
  sample: { messageId: '1', transactionId: null, error: 'x', bodyExcerpt: null },
});
const classes = [cls('a', 'retryable', 12), cls('b', 'retryable', 8), cls('c', 'permanent', 5)];

describe('class selection of a redrive', () => {
  it('selects the retryable classes by default and says what it moves and leaves', () => {
    const selected = new Set(defaultRedriveClasses(classes));
    expect([...selected]).toEqual(['a', 'b']);
    expect(classSelectionSummary(classes, selected)).toEqual({
      moves: 20,
      leaves: 5,
      permanentSelected: false,
      text: 'moves 20 (2 retryable classes), leaves 5 (1 permanent class)',
    });
  });

  it('flags a selected permanent class', () => {
    const s = classSelectionSummary(classes, new Set(['a', 'c']));
    expect(s.permanentSelected).toBe(true);
    expect(s.text).toBe('moves 17 (1 retryable and 1 permanent classes), leaves 8 (1 retryable class)');
  });
});
