export const approvalKeys = {
  all: ['approvals'] as const,
  detail: (id: string) => [...approvalKeys.all, 'detail', id] as const,
  /** The requests waiting for a decision (PENDING, not expired). */
  pending: () => [...approvalKeys.all, 'pending'] as const,
};
