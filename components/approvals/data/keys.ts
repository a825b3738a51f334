/** The most requests the list route answers at once; the badge shows "200+" beyond. */
export const PENDING_LIMIT = 200;

export const approvalKeys = {
  all: ['approvals'] as const,
  detail: (id: string) => [...approvalKeys.all, 'detail', id] as const,
  /** The requests waiting for a decision (PENDING, not expired). */
  pending: () => [...approvalKeys.all, 'pending'] as const,
};
