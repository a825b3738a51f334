import type { ReactElement } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { renderStatic } from '@/components/testing/render-static';
import { runningRedrive, runningReplay } from '@/components/testing/task-fixtures';
import type { Role } from '@/infra/platform/roles';
import { CancelConfirmation, redriveCancelImpact, replayCancelImpact } from './cancel-task';
import { RedrivesTable } from './redrives-table';
import { ReplaysTable } from './replays-table';

// The real DataTable defers the table until the browser hydrates (React.lazy behind
// useSyncExternalStore); render its synchronous core so the rows are in the static markup.
vi.mock('@/components/ui/data-table', async () => {
  const core = await import('@/components/ui/data-table-core');
  return { DataTable: core.DataTableCore };
});

const noop = () => undefined;
const render = (node: ReactElement) => renderStatic(node);

const replay = runningReplay;
const redrive = runningRedrive;

const cancelButton = (what: string) => new RegExp(`<button[^>]*aria-label="Cancel ${what}"[^>]*>Cancel</button>`);
const anyCancel = /<button[^>]*>[^<]*Cancel[^<]*<\/button>/;

describe('cancelling a replay or redrive from the replays page', () => {
  it.each<Role>(['operator', 'admin'])(
    'offers %s a Cancel on a running replay and redrive started by someone else',
    (role) => {
      expect(render(<ReplaysTable items={[replay]} role={role} />)).toMatch(cancelButton(`replay ${replay.name}`));
      expect(render(<RedrivesTable items={[redrive]} role={role} />)).toMatch(
        cancelButton('redrive of the processing DLQ'),
      );
    },
  );

  it.each<Role | undefined>(['viewer', 'approver', undefined])(
    'offers no Cancel to a caller whose role (%s) may not cancel',
    (role) => {
      expect(render(<ReplaysTable items={[replay]} role={role} />)).not.toMatch(anyCancel);
      expect(render(<RedrivesTable items={[redrive]} role={role} />)).not.toMatch(anyCancel);
    },
  );

  it('offers no Cancel on a replay or redrive that has finished or is already cancelling', () => {
    const finished = [
      { ...replay, name: 'r-done', state: 'COMPLETED' as const },
      { ...replay, name: 'r-cancelling', state: 'CANCELLING' as const },
    ];
    const done = [
      { ...redrive, id: 't-done', status: 'COMPLETED' as const },
      { ...redrive, id: 't-cancelling', status: 'CANCELLING' as const },
    ];
    expect(render(<ReplaysTable items={finished} role="operator" />)).not.toMatch(anyCancel);
    expect(render(<RedrivesTable items={done} role="operator" />)).not.toMatch(anyCancel);
  });

  it('offers Cancel on a replay that is still starting', () => {
    expect(render(<ReplaysTable items={[{ ...replay, state: 'STARTING' }]} role="operator" />)).toMatch(
      cancelButton(`replay ${replay.name}`),
    );
  });
});

describe('the cancel confirmation', () => {
  it('states how far the replay got and what stopping it leaves behind', () => {
    expect(replayCancelImpact(replay)).toBe(
      '12,000 of 480,000 events replayed so far (3%); those stay replayed, the rest are not sent.',
    );
    expect(replayCancelImpact({ ...replay, eventsTotal: null })).toBe(
      '12,000 events replayed so far; those stay replayed, the rest are not sent.',
    );
  });

  it('states how many dead letters the redrive moved and where the rest stay', () => {
    expect(redriveCancelImpact(redrive)).toBe(
      '100 of 5,000 messages moved so far (2%); moved messages stay in processing, the rest stay in its DLQ.',
    );
  });

  it('asks for a reason before it confirms, and lets the operator keep the task running', () => {
    const html = render(
      <CancelConfirmation
        what={`replay ${replay.name}`}
        impact={replayCancelImpact(replay)}
        pending={false}
        error={null}
        onConfirm={noop}
        onKeep={noop}
      />,
    );
    expect(html).toContain(`aria-label="Confirm: cancel replay ${replay.name}"`);
    expect(html).toContain(`Cancel replay ${replay.name}? 12,000 of 480,000 events replayed so far (3%)`);
    expect(html).toMatch(/<input[^>]*required=""[^>]*minLength="3"/);
    expect(html).toMatch(/<button type="submit"[^>]*disabled=""[^>]*>Confirm cancel<\/button>/);
    expect(html).toMatch(/<button type="button"[^>]*>Keep running<\/button>/);
  });

  it('shows why the server refused the cancel', () => {
    const html = render(
      <CancelConfirmation
        what="redrive of the processing DLQ"
        impact={redriveCancelImpact(redrive)}
        pending={false}
        error={new Error('redrive task-1 already completed')}
        onConfirm={noop}
        onKeep={noop}
      />,
    );
    expect(html).toMatch(/role="alert"[^>]*>redrive task-1 already completed/);
  });
});
