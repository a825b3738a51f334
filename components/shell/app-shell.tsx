import type { ReactNode } from 'react';
import type { Stage } from '@/infra/platform/description';
import type { Caller } from '@/server/auth/permissions.schema';
import { SignOutButton } from '../auth/sign-out-button';
import { EnvironmentBanner } from './environment-badge';
import { NavLinks } from './nav-links';
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
      <EnvironmentBanner stage={stage} region={region} backend={backend} />
      <div className="flex flex-1">
        <nav aria-label="Main" className="w-52 shrink-0 border-r border-border bg-surface-raised p-3">
          <p className="mb-4 px-3 text-lg font-bold tracking-tight">Ledgerline</p>
          <NavLinks />
        </nav>
        <div className="flex min-w-0 flex-1 flex-col">
          <header className="flex items-center justify-end gap-3 border-b border-border bg-surface-raised px-4 py-2 text-sm">
            {caller ? (
              <>
                <span data-testid="signed-in-as">
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
          </header>
          <main className="flex-1 p-6">{children}</main>
        </div>
      </div>
    </div>
  );
}
