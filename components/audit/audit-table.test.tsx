import { describe, expect, it } from 'vitest';
import { renderStatic } from '@/components/testing/render-static';
import type { AuditEntry } from '@/server/audit/audit.schema';
import { auditResultSummary, AuditTable } from './audit-table';

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  seq: 1,
  at: '2026-11-26T03:00:00.000Z',
  requestId: 'req-00000001',
  actorId: 'u-op',
  actorName: 'Olivia Operator',
  role: 'operator',
  action: 'redrive.start',
  outcome: 'started',
  target: 'queue:processing',
  reason: 'drain after the downstream fix',
  ticket: 'INC-4242',
  approvalId: null,
  idempotencyKey: null,
  inputs: null,
  result: null,
  hash: 'h',
  ...over,
});

const render = (items: AuditEntry[]) =>
  renderStatic(<AuditTable page={{ items, nextCursor: null }} query={{}} canExport={false} />);

describe('the audit table’s result column', () => {
  it('shows why an approved action failed to run', () => {
    const html = render([
      entry({
        seq: 7,
        outcome: 'failed',
        result: JSON.stringify({
          error: 'queueId: the processing DLQ now holds 1026 messages but 1001 were approved',
          code: 'Conflict',
          approvedBy: 'u-ap',
        }),
      }),
    ]);
    expect(html).toContain('<th class="p-2">Result</th>');
    expect(html).toMatch(
      /<span class="text-danger">queueId: the processing DLQ now holds 1026 messages but 1001 were approved \(Conflict\)<\/span>/,
    );
  });

  it('shows what a started action created', () => {
    expect(auditResultSummary(JSON.stringify({ taskId: 'task-1', total: 5000 }))).toEqual({
      text: 'taskId task-1 · total 5000',
      error: false,
    });
    expect(
      auditResultSummary(JSON.stringify({ approvedBy: 'u-ap', id: 'saga-1', status: 'COMPENSATED', total: null })),
    ).toEqual({ text: 'approvedBy u-ap · id saga-1 · status COMPENSATED', error: false });
  });

  it('leaves out the reason, which has its own column, and shows a dash when there is nothing else', () => {
    expect(auditResultSummary(JSON.stringify({ reason: 'Paused: alarm fired', remaining: 12 }))).toEqual({
      text: 'remaining 12',
      error: false,
    });
    expect(auditResultSummary(null)).toBeNull();
    expect(render([entry({ result: null })])).toMatch(/<td class="p-2 break-words">—<\/td>/);
  });
});
