import { describe, expect, it } from 'vitest';
import { applyFiringTitle, titleWithFiring } from './firing-title';

describe('the tab title’s firing count', () => {
  it('puts the number of firing alarms in front of the page’s title', () => {
    expect(titleWithFiring('Ledgerline', 2)).toBe('(2) Ledgerline');
    expect(titleWithFiring('Alarms · Ledgerline', 1)).toBe('(1) Alarms · Ledgerline');
  });

  it('replaces a stale count and drops it when nothing fires', () => {
    expect(titleWithFiring('(2) Ledgerline', 3)).toBe('(3) Ledgerline');
    expect(titleWithFiring('(2) Ledgerline', 0)).toBe('Ledgerline');
  });

  it('writes the title only when it changes (so watching the title does not loop)', () => {
    let writes = 0;
    let title = 'Sagas · Ledgerline';
    const doc = {
      get title() {
        return title;
      },
      set title(t: string) {
        writes++;
        title = t;
      },
    };
    applyFiringTitle(doc, 2);
    applyFiringTitle(doc, 2);
    expect(title).toBe('(2) Sagas · Ledgerline');
    expect(writes).toBe(1);
  });
});
