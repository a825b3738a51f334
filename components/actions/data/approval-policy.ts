/**
 * The part of the maker-checker policy the forms need, for the client bundle. Mirrors
 * `defaultPolicy` in server/approvals/policy.ts (client code may import only *.schema.ts from
 * server/; approval-policy.test.ts keeps the two equal). The server decides: this only tells
 * the operator up front what it will ask for.
 */
export const REDRIVE_APPROVAL_THRESHOLD = 1_000;

/** A redrive of more messages than the threshold waits for an approval, which needs a ticket. */
export function redriveNeedsApproval(messages: number): boolean {
  return messages > REDRIVE_APPROVAL_THRESHOLD;
}
