/**
 * EventBridge event patterns: matching an event (JSON object) against a pattern.
 * Supported: exact values (string, number, boolean, null), { prefix }, { suffix },
 * { "equals-ignore-case" }, { "anything-but": value | values | { prefix } }, { numeric: [op, n, ...] },
 * { exists: boolean }, nested objects. A field matches if ANY matcher in its array matches;
 * an event matches if EVERY field of the pattern matches. Arrays in the event match if any element does.
 */
export type EventPattern = { [key: string]: EventPattern | readonly unknown[] };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function matchOne(matcher: unknown, value: unknown, present: boolean): boolean {
  if (!isObject(matcher)) {
    if (!present) return false;
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => v === matcher);
  }
  if ('exists' in matcher) return matcher.exists === present;
  if (!present) return false;
  const values: unknown[] = Array.isArray(value) ? value : [value];
  return values.some((v) => {
    if ('prefix' in matcher)
      return typeof v === 'string' && typeof matcher.prefix === 'string' && v.startsWith(matcher.prefix);
    if ('suffix' in matcher)
      return typeof v === 'string' && typeof matcher.suffix === 'string' && v.endsWith(matcher.suffix);
    if ('equals-ignore-case' in matcher)
      return (
        typeof v === 'string' &&
        typeof matcher['equals-ignore-case'] === 'string' &&
        v.toLowerCase() === matcher['equals-ignore-case'].toLowerCase()
      );
    if ('anything-but' in matcher) {
      const ab = matcher['anything-but'];
      if (isObject(ab) && typeof ab.prefix === 'string') return !(typeof v === 'string' && v.startsWith(ab.prefix));
      const excluded = Array.isArray(ab) ? ab : [ab];
      return !excluded.includes(v);
    }
    if ('numeric' in matcher && Array.isArray(matcher.numeric)) {
      if (typeof v !== 'number') return false;
      const ops = matcher.numeric as unknown[];
      for (let i = 0; i + 1 < ops.length; i += 2) {
        const op = ops[i];
        const n = ops[i + 1] as number;
        const ok =
          op === '='
            ? v === n
            : op === '<'
              ? v < n
              : op === '<='
                ? v <= n
                : op === '>'
                  ? v > n
                  : op === '>='
                    ? v >= n
                    : false;
        if (!ok) return false;
      }
      return true;
    }
    throw new Error(`unsupported event pattern matcher ${JSON.stringify(matcher)}`);
  });
}

/** True when `event` matches `pattern`. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  for (const [key, sub] of Object.entries(pattern)) {
    const present = key in event && event[key] !== undefined;
    const value = event[key];
    if (Array.isArray(sub)) {
      if (!sub.some((m) => matchOne(m, value, present))) return false;
    } else {
      if (!present || !matchesPattern(sub as EventPattern, value)) return false;
    }
  }
  return true;
}

/** Pattern from the console's simple filter (source / detail-type lists). */
export function patternFromFilter(
  filter: { source?: readonly string[]; detailType?: readonly string[] } | null | undefined,
): EventPattern {
  const p: EventPattern = {};
  if (filter?.source?.length) p.source = filter.source;
  if (filter?.detailType?.length) p['detail-type'] = filter.detailType;
  return p;
}
