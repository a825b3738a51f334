import { Skeleton } from '@/components/ui/skeleton';

export default function QueueLoading() {
  return <Skeleton rows={6} label="Loading the queue page" className="mt-16" />;
}
