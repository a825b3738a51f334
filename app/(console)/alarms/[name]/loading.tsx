import { Skeleton } from '@/components/ui/skeleton';

export default function AlarmLoading() {
  return <Skeleton rows={6} label="Loading the alarm page" className="mt-16" />;
}
