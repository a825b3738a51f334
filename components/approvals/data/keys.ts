export const approvalKeys = {
  all: ['approvals'] as const,
  detail: (id: string) => [...approvalKeys.all, 'detail', id] as const,
};
