import type { Metadata } from 'next';
import { ServerData } from '@/app/(console)/_lib/server-data';
import { serverReads } from '@/app/(console)/_lib/server-reads';
import { QueuesView } from '@/components/queues/queues-view';
import { PageHeader } from '@/components/ui/page-header';
import { getCaller } from '@/server/auth/session';
import { firstParam, type SearchParams } from '@/server/ops/read/read.schema';

export const metadata: Metadata = { title: 'Queues' };

export default async function QueuesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const range = firstParam(await searchParams, 'range') === '24h' ? '24h' : '1h';
  return (
    <>
      <PageHeader
        title="Queues"
        description="Source queues and their dead-letter queues: depth, in flight, oldest age."
      />
      <ServerData caller={await getCaller()} reads={[serverReads.queues({ chartsOver: range })]}>
        <QueuesView range={range} />
      </ServerData>
    </>
  );
}
