import type { Metadata } from 'next';
import { SagasView } from '@/components/sagas/sagas-view';
import { PageHeader } from '@/components/ui/page-header';
import {
  firstParam,
  rangeFromSearchParams,
  sagasRouteInput,
  type SagasRouteInput,
  type SearchParams,
} from '@/server/ops/read/read.schema';

export const metadata: Metadata = { title: 'Sagas' };

/** The URL's filters; an invalid one is dropped rather than failing the page. */
function filtersOf(sp: SearchParams): SagasRouteInput {
  const range = firstParam(sp, 'range') ? rangeFromSearchParams(sp) : { range: '24h' as const };
  const pick = (key: keyof SagasRouteInput) => {
    const value = firstParam(sp, key);
    return value !== undefined && sagasRouteInput.shape[key].safeParse(value).success ? value : undefined;
  };
  return {
    ...range,
    status: pick('status') as SagasRouteInput['status'],
    transactionId: pick('transactionId'),
    sort: pick('sort') === 'startedAt:asc' ? 'startedAt:asc' : 'startedAt:desc',
    cursor: pick('cursor'),
  };
}

export default async function SagasPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const filters = filtersOf(await searchParams);
  return (
    <>
      <PageHeader title="Sagas" description="Payment sagas by status, time and transaction." />
      <SagasView key={filters.transactionId ?? ''} filters={filters} />
    </>
  );
}
