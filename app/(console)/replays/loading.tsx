import { Skeleton } from '@/components/ui/skeleton';

export default function ReplaysLoading() {
  return <Skeleton rows={6} label="Loading the replays page" className="mt-16" />;
}
