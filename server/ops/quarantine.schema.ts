/**
 * The quarantine's export file, as pure functions: the server builds and hashes it, the browser
 * offers the same bytes for download (JSON as stored, CSV built from it by `quarantineCsv`, so
 * the two sides cannot disagree about a byte). Client code may import this file.
 */
import type { ExportedDeadLetter } from '../platform/triage.schema';

/** The largest JSON export one quarantine stores (bytes): the approval row that keeps it stays small. */
export const MAX_QUARANTINE_EXPORT_BYTES = 192 * 1024;

/** The JSON file of a quarantine (what its sha256 is computed over). */
export interface QuarantineFile {
  queueId: string;
  classIds: string[];
  exportedAt: string;
  count: number;
  items: ExportedDeadLetter[];
}

/** What a quarantine answers (and what an approved one stores as its result). */
export interface QuarantineResult {
  queueId: string;
  classIds: string[];
  exportedAt: string;
  /** Dead letters exported (and then removed, less `notFound`). */
  exported: number;
  removed: number;
  /** Exported ids the DLQ no longer held at removal (already gone): nothing else is removed. */
  notFound: string[];
  /** sha256 (hex) of the JSON file and of the CSV file, as downloaded. */
  sha256: { json: string; csv: string };
  /** The JSON file's text (the CSV is `quarantineCsv(JSON.parse(json).items)`). */
  json: string;
}

/** The JSON file's text: stable key order (the object as built), two-space indent, final newline. */
export function quarantineJson(file: QuarantineFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

const CSV_COLUMNS = [
  'id',
  'transactionId',
  'classId',
  'errorType',
  'step',
  'verdict',
  'error',
  'lastError',
  'receiveCount',
  'sourceQueue',
  'sentAt',
  'deadLetteredAt',
  'attributes',
  'body',
] as const;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  // Spreadsheet formula injection: a leading = + - @ is data, not a formula.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The CSV file (RFC 4180, CRLF): one row per dead letter with its body, attributes (JSON) and errors. */
export function quarantineCsv(items: readonly ExportedDeadLetter[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const m of items) lines.push(CSV_COLUMNS.map((c) => csvCell(m[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The file names offered for download. */
export function quarantineFileName(r: Pick<QuarantineResult, 'queueId' | 'exportedAt'>, ext: 'json' | 'csv'): string {
  return `quarantine-${r.queueId}-${r.exportedAt.replace(/[:.]/g, '-')}.${ext}`;
}
