import type { Metadata } from 'next';
import { ServerData } from '@/app/(console)/_lib/server-data';
import { serverReads } from '@/app/(console)/_lib/server-reads';
import { QueueDetailWithActions } from '@/components/queues/queue-detail-with-actions';
import { PageHeader } from '@/components/ui/page-header';
import { getCaller } from '@/server/auth/session';
import { firstParam, type SearchParams } from '@/server/ops/read/read.schema';

type Props = { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Queue ${(await params).id}` };
}

export default async function QueuePage({ params, searchParams }: Props) {
  const { id } = await params;
  const sp = await searchParams;
  const caller = await getCaller();
  const search = firstParam(sp, 'search')?.slice(0, 200) || undefined;
  const range = firstParam(sp, 'range') === '24h' ? '24h' : '1h';
  const cursor = firstParam(sp, 'cursor') || undefined;
  // Everything the page shows on arrival, as its browser queries would fetch it.
  const reads = [
    serverReads.queues(),
    serverReads.queueSeries(id, range),
    serverReads.failureClasses(id),
    serverReads.deadLetters(id, { search, cursor }),
  ];
  return (
    <>
      <PageHeader
        back={{ href: '/queues', label: 'All queues' }}
        title={`Queue ${id}`}
        description="Depths, charts and the dead-letter browser."
      />
      <ServerData caller={caller} reads={reads}>
        <QueueDetailWithActions role={caller?.role ?? 'viewer'} id={id} range={range} search={search} cursor={cursor} />
      </ServerData>
    </>
  );
}
