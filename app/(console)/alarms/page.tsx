import type { Metadata } from 'next';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata: Metadata = { title: 'Alarms' };

export default function AlarmsPage() {
  return (
    <>
      <PageHeader title="Alarms" description="Alarm states, reasons and history." />
      <EmptyState title="No data yet">This view is not connected to the platform yet.</EmptyState>
    </>
  );
}
