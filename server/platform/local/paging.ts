import 'server-only';
import type { Page } from '../platform.schema';
import { PlatformError } from '../port';

/** Cursors are opaque to clients: the sort key of the last item, as base64url JSON. */
function encodeCursor(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

export function decodeCursor<T>(c: string | undefined, check: (v: unknown) => v is T): T | null {
  if (c === undefined) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (check(v)) return v;
  } catch {
    // fall through: reported below with the field name
  }
  throw new PlatformError('Invalid', 'cursor is not a cursor this server issued', 'cursor');
}

export const isPair = (v: unknown): v is [number, number] =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number');
export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export function clampLimit(limit: unknown): number {
  const n = limit === undefined ? 50 : typeof limit === 'string' ? Number(limit) : limit;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 200)
    throw new PlatformError('Invalid', 'limit must be an integer between 1 and 200', 'limit');
  return n;
}

/** A page of `limit` items from `limit + 1` rows: the extra row says whether there is a next page. */
export function pageOf<R, T>(rows: R[], limit: number, toItem: (r: R) => T, cursorOf: (last: R) => unknown): Page<T> {
  const last = rows[limit - 1];
  return {
    items: rows.slice(0, limit).map(toItem),
    nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null,
  };
}
