import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
// eslint-disable-next-line import/no-restricted-paths -- a test, not client code: it renders what the page passes per backend
import { LOCAL_DEV_PASSWORD, seededSignIns, seededUsers } from '@/server/auth/users';
import { SignInForm } from './sign-in-form';

const render = (backend: 'local' | 'aws') =>
  renderToStaticMarkup(<SignInForm next="/" error={null} seeded={seededSignIns(backend)} />);

describe('the sign-in page’s seeded users', () => {
  it('offers every seeded user as a one-click sign-in with the local backend', () => {
    const html = render('local');
    for (const u of seededUsers) expect(html).toContain(`Continue as ${u.name}`);
    expect(html.match(/<form[^>]*action="\/api\/auth\/sign-in"/g)).toHaveLength(seededUsers.length + 1);
    expect(html).toContain(`name="password" value="${LOCAL_DEV_PASSWORD}"`);
  });

  it('sends no seeded credential to the browser with the aws backend', () => {
    expect(seededSignIns('aws')).toEqual([]);
    const html = render('aws');
    expect(html).not.toContain(LOCAL_DEV_PASSWORD);
    for (const u of seededUsers) expect(html).not.toContain(u.email);
  });
});
