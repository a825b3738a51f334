import type { Metadata } from 'next';
import { AlarmsView } from '@/components/alarms/alarms-view';
import { PageHeader } from '@/components/ui/page-header';
import { firstParam, type SearchParams } from '@/server/ops/read/read.schema';
import { alarmStateSchema } from '@/server/platform/platform.schema';

export const metadata: Metadata = { title: 'Alarms' };

export default async function AlarmsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const state = alarmStateSchema.safeParse(firstParam(await searchParams, 'state'));
  return (
    <>
      <PageHeader title="Alarms" description="Alarm states, reasons, thresholds and history." />
      <AlarmsView state={state.success ? state.data : undefined} />
    </>
  );
}
