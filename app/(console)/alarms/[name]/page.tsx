import type { Metadata } from 'next';
import { replaySlot } from '@/app/(console)/_lib/replay-slot';
import { AlarmDetailView } from '@/components/alarms/alarm-detail-view';
import { AlarmRedrive } from '@/components/queues/alarm-redrive';
import { PageHeader } from '@/components/ui/page-header';
import { getCaller } from '@/server/auth/session';

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Alarm ${decodeURIComponent((await params).name)}` };
}

export default async function AlarmPage({ params }: Props) {
  const name = decodeURIComponent((await params).name);
  const caller = await getCaller();
  const replay = await replaySlot(caller);
  const actions = caller ? (
    <div className="flex flex-wrap items-start gap-2">
      <AlarmRedrive role={caller.role} alarm={name} />
      {replay}
    </div>
  ) : null;
  return (
    <>
      <PageHeader back={{ href: '/alarms', label: 'All alarms' }} title={name} description="Alarm detail" />
      <AlarmDetailView name={name} actions={actions} />
    </>
  );
}
