import 'server-only';
import { API_HEADERS } from './errors';

/** A write verb's answer: 200 when it started, 202 when it waits for an approval. */
export function outcomeResponse(outcome: { status: 'started' | 'pending_approval' }, requestId: string): Response {
  return Response.json(outcome, {
    status: outcome.status === 'pending_approval' ? 202 : 200,
    headers: { ...API_HEADERS, 'x-request-id': requestId },
  });
}
