import type { ReactNode } from 'react';
import { AppLink } from './app-link';

export interface PageHeaderProps {
  title: string;
  description?: string;
  actions?: ReactNode;
  /** A detail page's way back up (e.g. to the list it came from), shown above the title. */
  back?: { href: string; label: string };
}

export function PageHeader({ title, description, actions, back }: PageHeaderProps) {
  return (
    <>
      {back ? (
        <p className="mb-2 text-sm">
          <AppLink href={back.href} className="text-accent underline">
            ← {back.label}
          </AppLink>
        </p>
      ) : null}
      <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
          {description ? <p className="mt-1 text-sm text-fg-muted">{description}</p> : null}
        </div>
        {actions}
      </div>
    </>
  );
}
