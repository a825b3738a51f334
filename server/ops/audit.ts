import 'server-only';
import type { AuditEntry, AuditPage, AuditQuery } from '../audit/audit.schema';
import type { OpsContext } from './context';

export function listAudit(ctx: OpsContext, filter: AuditQuery): Promise<AuditPage> {
  return ctx.audit.list(filter);
}

const MAX_EXPORT = 50_000;
const columns: (keyof AuditEntry)[] = [
  'seq',
  'at',
  'requestId',
  'actorId',
  'actorName',
  'role',
  'action',
  'outcome',
  'target',
  'reason',
  'ticket',
  'approvalId',
  'idempotencyKey',
  'inputs',
  'result',
  'hash',
];

/** Every entry matching the filter (newest first, at most 50,000), paging through the store. */
export async function exportAudit(ctx: OpsContext, filter: AuditQuery): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  let cursor = filter.cursor;
  do {
    const page = await ctx.audit.list({ ...filter, cursor, limit: 200 });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < MAX_EXPORT);
  return out.slice(0, MAX_EXPORT);
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  // Spreadsheet formula injection: a leading = + - @ is data, not a formula.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(entries: AuditEntry[]): string {
  const lines = [columns.join(',')];
  for (const e of entries) lines.push(columns.map((c) => csvCell(e[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
