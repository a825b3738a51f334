/** Test support: a running replay (12,000 of 480,000 events) and a running redrive (100 of 5,000). */
import type { RedriveTask, Replay } from '@/server/platform/platform.schema';

export const runningReplay: Replay = {
  name: 'replay-20261126-0300',
  archive: 'ledgerline-local-archive',
  region: 'us-east-1',
  state: 'RUNNING',
  window: { start: '2026-11-25T03:00:00.000Z', end: '2026-11-26T02:55:00.000Z' },
  pattern: null,
  lastReplayedTime: '2026-11-25T09:00:00.000Z',
  eventsReplayed: 12_000,
  eventsTotal: 480_000,
  startedAt: '2026-11-26T03:00:00.000Z',
  endedAt: null,
  startedBy: 'op-1',
  stateReason: null,
};

export const runningRedrive: RedriveTask = {
  id: 'task-1',
  queueId: 'processing',
  region: 'us-east-1',
  status: 'RUNNING',
  moved: 100,
  total: 5_000,
  rate: 10,
  selection: 'all',
  startedAt: '2026-11-26T03:00:00.000Z',
  endedAt: null,
  startedBy: 'op-1',
  failureReason: null,
};
