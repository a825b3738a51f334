import type { ReactNode } from 'react';
import { QueryProvider } from '@/components/providers/query-provider';
import { AppShell } from '@/components/shell/app-shell';
import { getCaller } from '@/server/auth/session';
import { env } from '@/server/env';

export const dynamic = 'force-dynamic';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const caller = await getCaller();
  return (
    // One query client for the shell (firing count in the title, waiting approvals in the
    // navigation) and the page, so they share the alarms and approvals queries.
    <QueryProvider>
      <AppShell stage={env.LEDGERLINE_STAGE} region={env.AWS_REGION} backend={env.LEDGERLINE_BACKEND} caller={caller}>
        {children}
      </AppShell>
    </QueryProvider>
  );
}
