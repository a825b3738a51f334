import type { Metadata } from 'next';
import { AppLink } from '@/components/ui/app-link';
import { AlarmRedrive } from '@/components/actions/alarm-redrive';
import { LazyReplayAction } from '@/components/actions/lazy-actions';
import { AlarmDetailView } from '@/components/alarms/alarm-detail-view';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/server/auth/matrix.schema';
import { getCaller } from '@/server/auth/session';
import { listArchives } from '@/server/ops/read/replays';

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Alarm ${decodeURIComponent((await params).name)}` };
}

export default async function AlarmPage({ params }: Props) {
  const name = decodeURIComponent((await params).name);
  const caller = await getCaller();
  const archive = caller && can(caller.role, 'archive.replay') ? (await listArchives(caller))[0] : undefined;
  const replay =
    caller && archive ? (
      <LazyReplayAction role={caller.role} archive={archive.name} ingestionLagSeconds={archive.ingestionLagSeconds} initialPreset="24h" />
    ) : null;
  const actions = caller ? (
    <div className="flex flex-wrap items-start gap-2">
      <AlarmRedrive role={caller.role} alarm={name} />
      {replay}
    </div>
  ) : null;
  return (
    <>
      <p className="mb-2 text-sm">
        <AppLink href="/alarms" className="text-accent underline">
          ← All alarms
        </AppLink>
      </p>
      <PageHeader title={name} description="Alarm detail" />
      <AlarmDetailView name={name} actions={actions} />
    </>
  );
}
