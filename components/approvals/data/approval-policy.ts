/**
 * The part of the maker-checker policy the forms need: the threshold is the server's own
 * (server/approvals/approval-threshold.schema.ts). The server decides: this only tells the operator up
 * front what it will ask for.
 */
import { REDRIVE_APPROVAL_THRESHOLD } from '@/server/approvals/approval-threshold.schema';

export { REDRIVE_APPROVAL_THRESHOLD };

/** A redrive of more messages than the threshold waits for an approval, which needs a ticket. */
export function redriveNeedsApproval(messages: number): boolean {
  return messages > REDRIVE_APPROVAL_THRESHOLD;
}
