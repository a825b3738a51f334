import type { Metadata } from 'next';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata: Metadata = { title: 'Queues' };

export default function QueuesPage() {
  return (
    <>
      <PageHeader title="Queues" description="Source queues with their dead-letter queues." />
      <EmptyState title="No data yet">This view is not connected to the platform yet.</EmptyState>
    </>
  );
}
