import type { ReactElement } from 'react';
import { describe, expect, it } from 'vitest';
import { renderStatic } from '@/components/testing/render-static';
import type { RedriveTask, Replay } from '@/server/platform/platform.schema';
import { ActiveTasks } from './active-tasks';

const render = (node: ReactElement) => renderStatic(node);

const replay: Replay = {
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

const redrive: RedriveTask = {
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

describe('the overview’s active replays and redrives', () => {
  it('let an operator cancel a running replay or redrive that someone else started', () => {
    const html = render(<ActiveTasks replays={[replay]} redrives={[redrive]} role="operator" />);
    expect(html).toMatch(new RegExp(`<button[^>]*aria-label="Cancel replay ${replay.name}"[^>]*>Cancel</button>`));
    expect(html).toMatch(/<button[^>]*aria-label="Cancel redrive of the processing DLQ"[^>]*>Cancel<\/button>/);
  });

  it('show progress without Cancel to a viewer', () => {
    const html = render(<ActiveTasks replays={[replay]} redrives={[redrive]} role="viewer" />);
    expect(html).toContain(`aria-label="Replay ${replay.name} progress"`);
    expect(html).not.toMatch(/<button[^>]*>[^<]*Cancel[^<]*<\/button>/);
  });

  it('say nothing is running when there is no active task', () => {
    expect(render(<ActiveTasks replays={[]} redrives={[]} role="operator" />)).toContain(
      'No replay or redrive is running.',
    );
  });
});
