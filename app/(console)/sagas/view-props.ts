import { ANY_TIME, COMPENSATING_CURSOR, IN_FLIGHT } from '@/components/sagas/sagas-url';
import type { SagasViewProps } from '@/components/sagas/sagas-view';
import {
  firstParam,
  rangeFromSearchParams,
  sagasRouteInput,
  type SagasRouteInput,
  type SearchParams,
} from '@/server/ops/read/read.schema';

/**
 * The URL's filters; an invalid one is dropped rather than failing the page. No range means the
 * last 24 h; `range=any` means no time bound; `status=in-flight` lists RUNNING and COMPENSATING.
 */
export function sagasViewProps(sp: SearchParams): SagasViewProps {
  const rangeParam = firstParam(sp, 'range');
  const range = rangeParam === ANY_TIME ? {} : rangeParam ? rangeFromSearchParams(sp) : { range: '24h' as const };
  const pick = (key: keyof SagasRouteInput) => {
    const value = firstParam(sp, key);
    return value !== undefined && sagasRouteInput.shape[key].safeParse(value).success ? value : undefined;
  };
  const inFlight = firstParam(sp, 'status') === IN_FLIGHT;
  const compensatingCursor = inFlight ? firstParam(sp, COMPENSATING_CURSOR) : undefined;
  return {
    filters: {
      ...range,
      status: inFlight ? undefined : (pick('status') as SagasRouteInput['status']),
      transactionId: pick('transactionId'),
      sort: pick('sort') === 'startedAt:asc' ? 'startedAt:asc' : 'startedAt:desc',
      cursor: pick('cursor'),
    },
    ...(inFlight ? { inFlight, compensatingCursor: compensatingCursor || undefined } : {}),
  };
}
