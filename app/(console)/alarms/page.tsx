import type { Metadata } from 'next';
import { ServerData } from '@/app/(console)/_lib/server-data';
import { serverReads } from '@/app/(console)/_lib/server-reads';
import { AlarmsView } from '@/components/alarms/alarms-view';
import { PageHeader } from '@/components/ui/page-header';
import { getCaller } from '@/server/auth/session';
import { firstParam, type SearchParams } from '@/server/ops/read/read.schema';
import { alarmStateSchema } from '@/server/platform/platform.schema';

export const metadata: Metadata = { title: 'Alarms' };

export default async function AlarmsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const parsed = alarmStateSchema.safeParse(firstParam(await searchParams, 'state'));
  const state = parsed.success ? parsed.data : undefined;
  return (
    <>
      <PageHeader title="Alarms" description="Alarm states, reasons, thresholds and history." />
      <ServerData caller={await getCaller()} reads={[serverReads.alarms(state)]}>
        <AlarmsView state={state} />
      </ServerData>
    </>
  );
}
