import 'server-only';

interface Entry<T> {
  at: number;
  value: Promise<T>;
}

/**
 * A tiny time-to-live cache with request coalescing for poll-heavy reads: many consoles polling
 * the same view within `ttlMs` share one platform call (and one in-flight promise). Failures
 * are never cached. Bounded by `maxEntries` (oldest first out).
 */
export function createTtlCache<T>(ttlMs: number, maxEntries = 64) {
  const entries = new Map<string, Entry<T>>();
  return {
    get(key: string, load: () => Promise<T>, now = Date.now()): Promise<T> {
      const hit = entries.get(key);
      if (hit && now - hit.at < ttlMs) return hit.value;
      const value = load();
      entries.set(key, { at: now, value });
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key);
      });
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      return value;
    },
    clear() {
      entries.clear();
    },
  };
}
