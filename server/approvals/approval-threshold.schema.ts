/**
 * Redrives of more messages than this wait for a second person's approval (with a ticket) in
 * every stage: the server's policy (server/approvals/policy.ts) and the forms use this one value.
 * Without zod: the redrive form (a client component) imports it.
 */
export const REDRIVE_APPROVAL_THRESHOLD = 1_000;
