import { describe, expect, it, vi } from 'vitest';
import { authConfig } from '../auth/config';
import { consoleDb } from '../db/console-db';
import { auditFilterSchema } from './audit.schema';
import { containsPattern, SqliteAuditStore } from './store';

await vi.hoisted(async () => {
  (await import('@/server/platform/local/test-env')).localConsoleEnv('audit-store');
});

const store = new SqliteAuditStore(consoleDb(authConfig().dataDir));
for (const name of ['Ann 100% Sure', 'Bob_Builder', 'Bobby Builder', 'Back\\slash']) {
  await store.append({
    requestId: `r-${name}`,
    actor: { id: `u-${name}`, name, role: 'operator' },
    action: 'replay.start',
    outcome: 'started',
    target: `target ${name}`,
  });
}

const actorsFor = async (filter: Record<string, string>) =>
  (await store.list(auditFilterSchema.parse(filter))).items.map((e) => e.actorName).sort();

describe('audit filters take LIKE wildcards literally', () => {
  it.each([
    ['%', ['Ann 100% Sure']],
    ['_', ['Bob_Builder']],
    ['o_b', []],
    ['Bob', ['Bob_Builder', 'Bobby Builder']],
    ['\\', ['Back\\slash']],
  ])('actor=%j matches %j', async (actor, expected) => {
    expect(await actorsFor({ actor })).toEqual(expected);
  });

  it.each([
    ['%', ['Ann 100% Sure']],
    ['_', ['Bob_Builder']],
  ])('q=%j matches %j', async (q, expected) => {
    expect(await actorsFor({ q })).toEqual(expected);
  });

  it('escapes %, _ and the escape character itself', () => {
    expect(containsPattern('5%_a\\b')).toBe('%5\\%\\_a\\\\b%');
  });
});
