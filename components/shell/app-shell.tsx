import type { ReactNode } from 'react';
import type { Stage } from '@/infra/platform/description';
import type { Caller } from '@/server/auth/permissions.schema';
import { SignOutButton } from '../auth/sign-out-button';
import { EnvironmentBanner } from './environment-badge';
import { FiringTitle } from './firing-title';
import { ReadOnlyNotice } from './read-only-notice';
import { ShellNav } from './shell-nav';
import { ThemeToggle } from './theme-toggle';

export interface ShellProps {
  stage: Stage;
  region: string;
  backend: string;
  caller: Caller | null;
  children: ReactNode;
}

export function AppShell({ stage, region, backend, caller, children }: ShellProps) {
  return (
    <div className={`flex min-h-screen flex-col ${stage === 'production' ? 'border-4 border-danger' : ''}`}>
      <a
        href="#main"
        className="sr-only z-50 rounded bg-accent px-3 py-2 text-sm font-semibold text-white focus:not-sr-only focus:fixed focus:top-2 focus:left-2 dark:text-black"
      >
        Skip to main content
      </a>
      <EnvironmentBanner stage={stage} region={region} backend={backend} />
      <div className="flex flex-1 flex-col md:flex-row">
        <ShellNav caller={caller} />
        <div className="flex min-w-0 flex-1 flex-col">
          <header className="flex flex-wrap items-center justify-end gap-x-3 gap-y-1 border-b border-border bg-surface-raised px-4 py-2 text-sm">
            {caller ? (
              <>
                <span data-testid="signed-in-as" className="min-w-0 break-words">
                  {caller.name} <span className="rounded bg-border/50 px-1.5 py-0.5 text-xs">{caller.role}</span>
                </span>
                <SignOutButton />
              </>
            ) : (
              <span data-testid="signed-in-as" className="text-fg-muted">
                Not signed in
              </span>
            )}
            <ThemeToggle />
            {caller ? <FiringTitle /> : null}
          </header>
          {caller ? <ReadOnlyNotice role={caller.role} /> : null}
          <main id="main" tabIndex={-1} className="min-w-0 flex-1 p-4 focus:outline-none md:p-6">
            {children}
          </main>
        </div>
      </div>
    </div>
  );
}
