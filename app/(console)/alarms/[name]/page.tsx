import type { Metadata } from 'next';
import { replaySlot } from '@/app/(console)/_lib/replay-slot';
import { ServerData } from '@/app/(console)/_lib/server-data';
import { serverReads } from '@/app/(console)/_lib/server-reads';
import { AlarmDetailView } from '@/components/alarms/alarm-detail-view';
import { AlarmRedrive } from '@/components/queues/alarm-redrive';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/infra/platform/roles';
import { getCaller } from '@/server/auth/session';

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Alarm ${decodeURIComponent((await params).name)}` };
}

export default async function AlarmPage({ params }: Props) {
  const name = decodeURIComponent((await params).name);
  const caller = await getCaller();
  // A replay is never an alarm's first move: its trigger is secondary, under "Other actions".
  const replay = await replaySlot(caller, { secondary: true });
  const redrive = caller && can(caller.role, 'queue.redrive') ? <AlarmRedrive role={caller.role} alarm={name} /> : null;
  return (
    <>
      <PageHeader back={{ href: '/alarms', label: 'All alarms' }} title={name} description="Alarm detail" />
      <ServerData caller={caller} reads={[serverReads.alarm(name)]}>
        <AlarmDetailView name={name} redrive={redrive} otherActions={replay} />
      </ServerData>
    </>
  );
}
