import type { SagasRouteInput } from '@/server/ops/read/read.schema';

/**
 * The saga list's URL vocabulary beyond sagasRouteInput, shared by the page (server), the view
 * (client) and the links into it. Plain constants: a 'use client' module's exports are client
 * references on the server, so they cannot live in sagas-view.tsx.
 */

/** `status=in-flight`: RUNNING and COMPENSATING sagas, one list each. */
export const IN_FLIGHT = 'in-flight';
/** `range=any`: no time bound (without a range the page shows the last 24 h). */
export const ANY_TIME = 'any';
/** Pages the in-flight view's COMPENSATING list (`cursor` pages its RUNNING list). */
export const COMPENSATING_CURSOR = 'compensatingCursor';

/** Every saga in flight now, whenever it started: what the overview's "Running now" tile counts. */
export const inFlightSagasHref = `/sagas?status=${IN_FLIGHT}&range=${ANY_TIME}`;

/** One list the sagas page shows: its heading, its filters (the list's query) and its cursor's URL parameter. */
export interface SagaListSpec {
  label: string;
  filters: SagasRouteInput;
  cursorParam: string;
}

/** The lists the sagas page shows for its filters: one, or in flight the COMPENSATING and the RUNNING sagas. */
export function sagaLists(filters: SagasRouteInput, inFlight: boolean, compensatingCursor?: string): SagaListSpec[] {
  if (!inFlight) return [{ label: 'Sagas', filters, cursorParam: 'cursor' }];
  return [
    {
      label: 'Compensating sagas',
      filters: { ...filters, status: 'COMPENSATING', cursor: compensatingCursor },
      cursorParam: COMPENSATING_CURSOR,
    },
    {
      label: 'Running sagas',
      filters: { ...filters, status: 'RUNNING', cursor: filters.cursor },
      cursorParam: 'cursor',
    },
  ];
}
