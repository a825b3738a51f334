export const auditKeys = {
  all: ['audit'] as const,
};
