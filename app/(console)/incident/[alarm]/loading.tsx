import { Skeleton } from '@/components/ui/skeleton';

export default function IncidentLoading() {
  return <Skeleton rows={6} label="Loading the incident page" className="mt-16" />;
}
