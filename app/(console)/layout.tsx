import type { ReactNode } from 'react';
import { ServerData } from '@/app/(console)/_lib/server-data';
import { serverReads } from '@/app/(console)/_lib/server-reads';
import { QueryProvider } from '@/components/providers/query-provider';
import { AppShell } from '@/components/shell/app-shell';
import { can } from '@/infra/platform/roles';
import { getCaller } from '@/server/auth/session';
import { env } from '@/server/env';

export const dynamic = 'force-dynamic';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const caller = await getCaller();
  return (
    // One query client for the shell (firing count in the title, waiting approvals in the
    // navigation) and the page, so they share the alarms and approvals queries. The shell's
    // first data comes with the page (no re-render of the shell when a browser fetch resolves).
    <QueryProvider>
      <ServerData
        caller={caller}
        reads={[
          serverReads.alarms('ALARM'),
          ...(caller && can(caller.role, 'approval.decide') ? [serverReads.pendingApprovals()] : []),
        ]}
      >
        <AppShell stage={env.LEDGERLINE_STAGE} region={env.AWS_REGION} backend={env.LEDGERLINE_BACKEND} caller={caller}>
          {children}
        </AppShell>
      </ServerData>
    </QueryProvider>
  );
}
