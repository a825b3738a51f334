/**
 * The task lists' keys. A started task's polling status query is nested under its family's
 * key, so that invalidating the family (e.g. redriveKeys.all) refreshes it too.
 */
export const replayKeys = {
  all: ['replays'] as const,
  list: (cursor?: string) => [...replayKeys.all, 'list', cursor ?? null] as const,
  status: (name: string) => [...replayKeys.all, 'status', name] as const,
};

export const redriveKeys = {
  all: ['redrives'] as const,
  list: (cursor?: string, queueId?: string) => [...redriveKeys.all, 'list', queueId ?? null, cursor ?? null] as const,
  status: (id: string) => [...redriveKeys.all, 'status', id] as const,
};
