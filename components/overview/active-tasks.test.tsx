import type { ReactElement } from 'react';
import { describe, expect, it } from 'vitest';
import { renderStatic } from '@/components/testing/render-static';
import { runningRedrive, runningReplay } from '@/components/testing/task-fixtures';
import { ActiveTasks } from './active-tasks';

const render = (node: ReactElement) => renderStatic(node);

const replay = runningReplay;
const redrive = runningRedrive;

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

  it('name who started a task by display name, and an unknown id as it is', () => {
    const named = render(
      <ActiveTasks replays={[replay]} redrives={[redrive]} role="viewer" names={{ 'op-1': 'Omar Operator' }} />,
    );
    expect(named).toContain('by Omar Operator');
    expect(named).not.toContain('by op-1');
    expect(render(<ActiveTasks replays={[replay]} redrives={[]} role="viewer" />)).toContain('by op-1');
  });
});
