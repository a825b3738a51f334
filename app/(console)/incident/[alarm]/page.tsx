import type { Metadata } from 'next';
import { ServerData } from '@/app/(console)/_lib/server-data';
import { serverReads } from '@/app/(console)/_lib/server-reads';
import { IncidentView } from '@/components/incident/incident-view';
import { AlarmRedrive } from '@/components/queues/alarm-redrive';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/infra/platform/roles';
import { getCaller } from '@/server/auth/session';

type Props = { params: Promise<{ alarm: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Incident ${decodeURIComponent((await params).alarm)}` };
}

export default async function IncidentPage({ params }: Props) {
  const alarm = decodeURIComponent((await params).alarm);
  const caller = await getCaller();
  return (
    <>
      <PageHeader
        back={{ href: `/alarms/${encodeURIComponent(alarm)}`, label: 'Alarm detail' }}
        title="Incident"
        description={`What happened around ${alarm}: the alarm, its dead letters, the sagas that failed or compensated, the transactions involved.`}
      />
      <ServerData caller={caller} reads={[serverReads.incident(alarm)]}>
        <IncidentView
          alarm={alarm}
          actions={
            caller && can(caller.role, 'queue.redrive') ? <AlarmRedrive role={caller.role} alarm={alarm} /> : undefined
          }
        />
      </ServerData>
    </>
  );
}
