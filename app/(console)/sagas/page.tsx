import type { Metadata } from 'next';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata: Metadata = { title: 'Sagas' };

export default function SagasPage() {
  return (
    <>
      <PageHeader title="Sagas" description="Payment sagas and their step timelines." />
      <EmptyState title="No data yet">This view is not connected to the platform yet.</EmptyState>
    </>
  );
}
