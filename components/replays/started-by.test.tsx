import { describe, expect, it, vi } from 'vitest';
import { ActiveTasks } from '@/components/overview/active-tasks';
import { renderStatic } from '@/components/testing/render-static';
import { runningRedrive, runningReplay } from '@/components/testing/task-fixtures';
import { displayName } from '@/components/ui/display-name';
import { RedrivesTable } from './redrives-table';
import { ReplaysTable } from './replays-table';

// The real DataTable defers the table until the browser hydrates; render its synchronous core
// so the rows are in the static markup (as cancel-task.test.tsx does).
vi.mock('@/components/ui/data-table', async () => {
  const core = await import('@/components/ui/data-table-core');
  return { DataTable: core.DataTableCore };
});

const names = { 'op-1': 'Omar Operator' };
const roleArn = 'arn:aws:iam::123456789012:role/ledgerline-prod-operator';

/** The text of each "Started by" cell (the column before "Started"). */
function startedBy(html: string): string[] {
  const header = [...html.matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
  const col = header.findIndex((h) => h.includes('Started by'));
  expect(col).toBeGreaterThan(-1);
  return [...html.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)]
    .map((row) => [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '')))
    .filter((cells) => cells.length > col)
    .map((cells) => cells[col]!);
}

describe('"Started by" shows people by name', () => {
  it('names who started each replay and redrive, as the overview’s active tasks do', () => {
    const replays = renderStatic(<ReplaysTable items={[runningReplay]} role="viewer" names={names} />);
    const redrives = renderStatic(<RedrivesTable items={[runningRedrive]} role="viewer" names={names} />);
    expect(startedBy(replays)).toEqual(['Omar Operator']);
    expect(startedBy(redrives)).toEqual(['Omar Operator']);
    const overview = renderStatic(<ActiveTasks replays={[runningReplay]} redrives={[runningRedrive]} names={names} />);
    expect(overview.match(/by Omar Operator/g)).toHaveLength(2);
  });

  it('shows an id the page has no name for as it is (a role ARN on AWS), and "unknown" when none is recorded', () => {
    const html = renderStatic(
      <RedrivesTable
        items={[
          { ...runningRedrive, id: 't-arn', startedBy: roleArn },
          { ...runningRedrive, id: 't-none', startedBy: null },
        ]}
        names={names}
      />,
    );
    expect(startedBy(html)).toEqual([roleArn, 'unknown']);
  });

  it('never takes an object’s built-in property for a name', () => {
    expect(displayName(names, 'constructor')).toBe('constructor');
    expect(displayName(undefined, 'op-1')).toBe('op-1');
  });
});
