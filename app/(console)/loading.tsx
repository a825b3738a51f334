import { Skeleton } from '@/components/ui/skeleton';

export default function ConsoleLoading() {
  return <Skeleton rows={6} label="Loading the console page" className="mt-16" />;
}
