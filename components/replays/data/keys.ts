export const replayKeys = {
  all: ['replays'] as const,
  list: (cursor?: string) => [...replayKeys.all, 'list', cursor ?? null] as const,
};

export const redriveKeys = {
  all: ['redrives'] as const,
  list: (cursor?: string, queueId?: string) => [...redriveKeys.all, 'list', queueId ?? null, cursor ?? null] as const,
};
