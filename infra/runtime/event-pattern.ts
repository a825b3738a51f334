/**
 * EventBridge event patterns: matching an event (JSON object) against a pattern, following
 * "Comparison operators for use in event patterns in Amazon EventBridge"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
 *
 * Supported: exact values (string, number, boolean, null), { prefix }, { suffix } (a string, or
 * { "equals-ignore-case": string } for a case-insensitive match), { "equals-ignore-case": string },
 * { "anything-but": string | number | (string | number)[] | { prefix: string } | { suffix: string }
 * | { "equals-ignore-case": string | string[] } }, { numeric: [op, n, ...] }, { exists: boolean },
 * nested objects (also inside arrays of objects). A field matches if ANY matcher in its array
 * matches; an event matches if EVERY field of the pattern matches. Arrays in the event match if
 * any element does.
 *
 * Comparison operators only look at LEAF values (strings, numbers, booleans, null, or arrays of them):
 * a field whose value is an object is an intermediate node, so it matches no value matcher,
 * `{ exists: true }` does not match it and `{ exists: false }` does (there is no leaf at that path).
 * Prefix / suffix / anything-but are case-sensitive; only equals-ignore-case ignores case.
 *
 * Any operator or operand shape not listed above (e.g. wildcard, cidr, $or, anything-but with a
 * wildcard or a prefix list) throws "unsupported event pattern matcher …": a filter must never
 * silently match or drop events it does not understand.
 */
export type EventPattern = { [key: string]: EventPattern | readonly unknown[] };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unsupported(matcher: unknown, why: string): Error {
  return new Error(`unsupported event pattern matcher ${JSON.stringify(matcher)}: ${why}`);
}

/** The leaf values of an event field: arrays are flattened, objects (intermediate nodes) dropped. */
function leafValues(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(leafValues);
  if (isObject(value) || value === undefined) return [];
  return [value];
}

const NUMERIC_OPS = new Set(['=', '<', '<=', '>', '>=']);

/** A string test: `{ prefix: "x" }` style operand, either a string or `{ "equals-ignore-case": string }`. */
function stringTest(
  matcher: unknown,
  operand: unknown,
  test: (value: string, wanted: string) => boolean,
): (v: unknown) => boolean {
  if (typeof operand === 'string') return (v) => typeof v === 'string' && test(v, operand);
  if (isObject(operand) && Object.keys(operand).length === 1 && typeof operand['equals-ignore-case'] === 'string') {
    const wanted = operand['equals-ignore-case'].toLowerCase();
    return (v) => typeof v === 'string' && test(v.toLowerCase(), wanted);
  }
  throw unsupported(matcher, 'operand must be a string or { "equals-ignore-case": string }');
}

/** Predicate for the value(s) an `anything-but` excludes. */
function excludedBy(matcher: unknown, ab: unknown): (v: unknown) => boolean {
  if (typeof ab === 'string' || typeof ab === 'number') return (v) => v === ab;
  if (Array.isArray(ab)) {
    if (ab.length === 0 || !ab.every((x) => typeof x === 'string' || typeof x === 'number'))
      throw unsupported(matcher, 'anything-but list must be non-empty strings or numbers');
    const excluded: readonly unknown[] = ab;
    return (v) => excluded.includes(v);
  }
  if (isObject(ab)) {
    const keys = Object.keys(ab);
    if (keys.length !== 1) throw unsupported(matcher, 'anything-but object must have exactly one operator');
    const op = keys[0];
    const operand = ab[op as string];
    if (op === 'prefix' && typeof operand === 'string') return (v) => typeof v === 'string' && v.startsWith(operand);
    if (op === 'suffix' && typeof operand === 'string') return (v) => typeof v === 'string' && v.endsWith(operand);
    if (op === 'equals-ignore-case') {
      const list = Array.isArray(operand) ? operand : [operand];
      if (list.length === 0 || !list.every((x): x is string => typeof x === 'string'))
        throw unsupported(matcher, 'anything-but equals-ignore-case needs a string or a non-empty list of strings');
      const lowered = new Set(list.map((x) => x.toLowerCase()));
      return (v) => typeof v === 'string' && lowered.has(v.toLowerCase());
    }
  }
  throw unsupported(matcher, 'anything-but operand not supported');
}

/** Compiles one matcher of a field's list into a test over (leaf values, field has a leaf). Throws if unsupported. */
function compile(matcher: unknown): (leaves: unknown[]) => boolean {
  if (!isObject(matcher)) {
    if (Array.isArray(matcher)) throw unsupported(matcher, 'a list is not a matcher');
    return (leaves) => leaves.some((v) => v === matcher);
  }
  const keys = Object.keys(matcher);
  if (keys.length !== 1) throw unsupported(matcher, 'a matcher object must have exactly one operator');
  const op = keys[0] as string;
  const operand = matcher[op];
  switch (op) {
    case 'exists':
      if (typeof operand !== 'boolean') throw unsupported(matcher, 'exists takes true or false');
      return (leaves) => leaves.length > 0 === operand;
    case 'prefix': {
      const t = stringTest(matcher, operand, (v, w) => v.startsWith(w));
      return (leaves) => leaves.some(t);
    }
    case 'suffix': {
      const t = stringTest(matcher, operand, (v, w) => v.endsWith(w));
      return (leaves) => leaves.some(t);
    }
    case 'equals-ignore-case': {
      if (typeof operand !== 'string') throw unsupported(matcher, 'equals-ignore-case takes a string');
      const wanted = operand.toLowerCase();
      return (leaves) => leaves.some((v) => typeof v === 'string' && v.toLowerCase() === wanted);
    }
    case 'anything-but': {
      const excluded = excludedBy(matcher, operand);
      return (leaves) => leaves.some((v) => !excluded(v));
    }
    case 'numeric': {
      if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0)
        throw unsupported(matcher, 'numeric takes [op, number, ...] pairs');
      const pairs: [string, number][] = [];
      for (let i = 0; i < operand.length; i += 2) {
        const o: unknown = operand[i];
        const n: unknown = operand[i + 1];
        if (typeof o !== 'string' || !NUMERIC_OPS.has(o) || typeof n !== 'number' || !Number.isFinite(n))
          throw unsupported(matcher, `numeric comparison ${JSON.stringify([o, n])}`);
        pairs.push([o, n]);
      }
      const ok = (v: number) =>
        pairs.every(([o, n]) =>
          o === '=' ? v === n : o === '<' ? v < n : o === '<=' ? v <= n : o === '>' ? v > n : v >= n,
        );
      return (leaves) => leaves.some((v) => typeof v === 'number' && ok(v));
    }
    default:
      throw unsupported(matcher, `operator "${op}" is not supported by the embedded bus`);
  }
}

/** True when `event` matches `pattern`. Throws "unsupported event pattern matcher …" for operators it does not implement. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  for (const [key, sub] of Object.entries(pattern)) {
    const value = event[key];
    if (Array.isArray(sub)) {
      // Compile every matcher first so an unsupported one throws whatever the event holds.
      const tests = sub.map(compile);
      const leaves = leafValues(value);
      if (!tests.some((t) => t(leaves))) return false;
    } else {
      // A nested pattern applies to the object at `key`, or to any object of an array there.
      // With no object there, only `exists: false` fields can match (there is no leaf below).
      const objects = (Array.isArray(value) ? (value.flat(Infinity) as unknown[]) : [value]).filter(isObject);
      const candidates = objects.length > 0 ? objects : [{}];
      if (!candidates.some((o) => matchesPattern(sub as EventPattern, o))) return false;
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
