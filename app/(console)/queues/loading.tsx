import { Skeleton } from '@/components/ui/skeleton';

export default function QueuesLoading() {
  return <Skeleton rows={6} label="Loading the queues page" className="mt-16" />;
}
