export const incidentKeys = {
  all: ['incident'] as const,
  alarm: (name: string) => [...incidentKeys.all, name] as const,
};
