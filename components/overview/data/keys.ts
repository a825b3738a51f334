import type { RangeInput } from '@/server/ops/read/read.schema';

export const overviewKeys = {
  all: ['overview'] as const,
  range: (r: RangeInput) => [...overviewKeys.all, r.range ?? '1h', r.from ?? null, r.to ?? null] as const,
};
