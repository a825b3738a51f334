import { Skeleton } from '@/components/ui/skeleton';

export default function SagaLoading() {
  return <Skeleton rows={6} label="Loading the saga page" className="mt-16" />;
}
