import { Skeleton } from '@/components/ui/skeleton';

export default function AlarmsLoading() {
  return <Skeleton rows={6} label="Loading the alarms page" className="mt-16" />;
}
