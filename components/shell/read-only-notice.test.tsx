import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { isReadOnly, ReadOnlyNotice } from './read-only-notice';

describe('the read-only notice', () => {
  it('marks exactly the roles without a write permission as read-only', () => {
    expect(isReadOnly('viewer')).toBe(true);
    expect(isReadOnly('operator')).toBe(false);
    expect(isReadOnly('approver')).toBe(false);
    expect(isReadOnly('admin')).toBe(false);
  });

  it('tells a viewer the role is read-only and says nothing to an operator', () => {
    const html = renderToStaticMarkup(<ReadOnlyNotice role="viewer" />);
    expect(html).toContain('data-testid="read-only-notice"');
    expect(html).toContain('Read-only.');
    expect(html).toContain('signed in as a viewer');
    expect(renderToStaticMarkup(<ReadOnlyNotice role="operator" />)).toBe('');
  });
});
