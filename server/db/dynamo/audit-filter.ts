import 'server-only';
import type { AuditQuery } from '../../audit/audit.schema';
import type { AuditRow } from '../../audit/store';

/** SQLite's LIKE folds ASCII letters only: so does this. */
const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const contains = (value: string | null, text: string) => value !== null && fold(value).includes(fold(text));

/**
 * The SQLite audit filter's row test, in memory (the DynamoDB log reads candidates by time):
 * actor = id, or name contains; q = target, reason or ticket contains, or the request id. Time
 * bounds and the cursor are the caller's key conditions.
 */
export function matchesAuditFilter(row: AuditRow, filter: AuditQuery): boolean {
  if (filter.actor && row.actor_id !== filter.actor && !contains(row.actor_name, filter.actor)) return false;
  if (filter.action && row.action !== filter.action) return false;
  if (filter.outcome && row.outcome !== filter.outcome) return false;
  if (filter.from && row.at < Date.parse(filter.from)) return false;
  if (filter.to && row.at > Date.parse(filter.to)) return false;
  if (
    filter.q &&
    !contains(row.target, filter.q) &&
    !contains(row.reason, filter.q) &&
    !contains(row.ticket, filter.q) &&
    row.request_id !== filter.q
  ) {
    return false;
  }
  return true;
}
