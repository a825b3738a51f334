import type { Metadata } from 'next';
import { ServerData } from '@/app/(console)/_lib/server-data';
import { serverReads } from '@/app/(console)/_lib/server-reads';
import { sagaLists } from '@/components/sagas/sagas-url';
import { SagasView } from '@/components/sagas/sagas-view';
import { PageHeader } from '@/components/ui/page-header';
import { getCaller } from '@/server/auth/session';
import type { SearchParams } from '@/server/ops/read/read.schema';
import { sagasViewProps } from './view-props';

export const metadata: Metadata = { title: 'Sagas' };

export default async function SagasPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const props = sagasViewProps(await searchParams);
  const caller = await getCaller();
  const lists = sagaLists(props.filters, props.inFlight ?? false, props.compensatingCursor);
  return (
    <>
      <PageHeader title="Sagas" description="Payment sagas by status, time and transaction." />
      <ServerData caller={caller} reads={lists.map((l) => serverReads.sagas(l.filters))}>
        <SagasView key={props.filters.transactionId ?? ''} {...props} />
      </ServerData>
    </>
  );
}
