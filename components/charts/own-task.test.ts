import { afterEach, describe, expect, it, vi } from 'vitest';
import { inOwnTask } from './own-task';

describe('drawing one job per task', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs queued jobs in order, each in a task of its own', () => {
    vi.useFakeTimers();
    const ran: string[] = [];
    inOwnTask(() => ran.push('a'));
    inOwnTask(() => ran.push('b'));
    inOwnTask(() => ran.push('c'));
    expect(ran).toEqual([]);
    vi.advanceTimersToNextTimer();
    expect(ran).toEqual(['a']);
    vi.advanceTimersToNextTimer();
    expect(ran).toEqual(['a', 'b']);
    vi.runAllTimers();
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('drops a cancelled job and keeps the rest', () => {
    vi.useFakeTimers();
    const ran: string[] = [];
    inOwnTask(() => ran.push('a'));
    const cancel = inOwnTask(() => ran.push('b'));
    inOwnTask(() => ran.push('c'));
    cancel();
    vi.runAllTimers();
    expect(ran).toEqual(['a', 'c']);
  });

  it('keeps going after a job throws', () => {
    vi.useFakeTimers();
    const ran: string[] = [];
    inOwnTask(() => {
      throw new Error('boom');
    });
    inOwnTask(() => ran.push('after'));
    expect(() => vi.advanceTimersToNextTimer()).toThrow('boom');
    vi.runAllTimers();
    expect(ran).toEqual(['after']);
  });
});
