import { Skeleton } from '@/components/ui/skeleton';

export default function SagasLoading() {
  return <Skeleton rows={6} label="Loading the sagas page" className="mt-16" />;
}
