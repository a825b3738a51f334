export const alarmKeys = {
  all: ['alarms'] as const,
  list: (filters: { state?: string }) => [...alarmKeys.all, 'list', filters.state ?? null] as const,
  detail: (name: string) => [...alarmKeys.all, 'detail', name] as const,
};
