import type { Metadata } from 'next';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';

export const metadata: Metadata = { title: 'Replays' };

export default function ReplaysPage() {
  return (
    <>
      <PageHeader title="Replays" description="Archive replays and DLQ redrives." />
      <EmptyState title="No data yet">This view is not connected to the platform yet.</EmptyState>
    </>
  );
}
