import { describe, expect, it } from 'vitest';
import { createFocusHandoff } from './focus-handoff';

/** The one part of an element the handoff uses: records who received focus, in order. */
function elements(log: string[]) {
  return (name: string) => ({ focus: () => log.push(name) }) as unknown as HTMLElement;
}

describe('the focus handoff of a panel that replaces its own controls', () => {
  it('focuses the requested element when it mounts after the request (trigger → opened form)', () => {
    const focused: string[] = [];
    const el = elements(focused);
    const handoff = createFocusHandoff<'trigger' | 'field'>();
    handoff.target('trigger')(el('trigger'));
    handoff.focusNext('field'); // the click that opens the panel
    handoff.target('trigger')(null); // the trigger unmounts…
    expect(focused).toEqual([]);
    handoff.target('field')(el('field')); // …and the form's first field mounts
    expect(focused).toEqual(['field']);
  });

  it('focuses an element that is already on screen at once', () => {
    const focused: string[] = [];
    const handoff = createFocusHandoff<'status'>();
    handoff.target('status')(elements(focused)('status'));
    handoff.focusNext('status');
    expect(focused).toEqual(['status']);
  });

  it('moves focus once per request: a later remount of the element does not steal focus', () => {
    const focused: string[] = [];
    const el = elements(focused);
    const handoff = createFocusHandoff<'trigger'>();
    handoff.focusNext('trigger'); // Close
    handoff.target('trigger')(el('trigger'));
    handoff.target('trigger')(null);
    handoff.target('trigger')(el('trigger again'));
    expect(focused).toEqual(['trigger']);
  });

  it('follows only the latest request when two are made before anything mounts', () => {
    const focused: string[] = [];
    const el = elements(focused);
    const handoff = createFocusHandoff<'field' | 'status'>();
    handoff.focusNext('field');
    handoff.focusNext('status');
    handoff.target('field')(el('field'));
    handoff.target('status')(el('status'));
    expect(focused).toEqual(['status']);
  });

  it('gives each name one stable ref callback, so re-renders do not re-attach it', () => {
    const handoff = createFocusHandoff<'field'>();
    expect(handoff.target('field')).toBe(handoff.target('field'));
  });
});
