'use client';

import { EmptyState } from '@/components/ui/empty-state';
import { InlineError } from '@/components/ui/inline-error';
import { Skeleton } from '@/components/ui/skeleton';
import { useFailureClassesQuery } from './data/failure-classes-query';
import { FailureClassList } from './failure-class-list';

/** The DLQ's triage (read side): its failure classes with counts, first and last seen, sample and verdict. */
export function FailureClassesSection({ queueId }: { queueId: string }) {
  const query = useFailureClassesQuery(queueId);
  if (query.isError)
    return <InlineError error={query.error} what="failure classes" onRetry={() => void query.refetch()} />;
  if (query.isPending) return <Skeleton rows={2} label="Loading failure classes" />;
  if (query.data.length === 0)
    return <EmptyState title="No failure classes">The dead-letter queue holds no indexed failures.</EmptyState>;
  return <FailureClassList classes={query.data} label={`Failure classes of the ${queueId} DLQ`} />;
}
