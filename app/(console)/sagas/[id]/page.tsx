import type { Metadata } from 'next';
import { ServerData } from '@/app/(console)/_lib/server-data';
import { serverReads } from '@/app/(console)/_lib/server-reads';
import { LazyCompensateAction } from '@/components/sagas/lazy-compensate-action';
import { SagaDetailView } from '@/components/sagas/saga-detail-view';
import { PageHeader } from '@/components/ui/page-header';
import { getCaller } from '@/server/auth/session';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Saga ${decodeURIComponent((await params).id)}` };
}

export default async function SagaPage({ params }: Props) {
  const id = decodeURIComponent((await params).id);
  const caller = await getCaller();
  return (
    <>
      <PageHeader
        back={{ href: '/sagas', label: 'All sagas' }}
        title={`Saga ${id}`}
        description="Every step and compensation, in execution order."
      />
      <ServerData caller={caller} reads={[serverReads.saga(id)]}>
        <SagaDetailView id={id} actions={caller ? <LazyCompensateAction role={caller.role} sagaId={id} /> : null} />
      </ServerData>
    </>
  );
}
