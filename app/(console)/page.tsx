import type { Metadata } from 'next';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata: Metadata = { title: 'Overview' };

export default function OverviewPage() {
  return (
    <>
      <PageHeader title="Overview" description="Firing alarms, dead-letter queues, sagas and replays per region." />
      <EmptyState title="No data yet">This view is not connected to the platform yet.</EmptyState>
    </>
  );
}
