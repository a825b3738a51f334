/**
 * IAM proven by evaluation: every AWS request the console's aws adapter and the Lambdas send in
 * their tests (recorded in test/iam/recorded/, see recording.ts) is evaluated against the
 * synthesized policies of the role that sends it (staging and production stacks, console stacks
 * when synthesized), KMS key policies included, with @cloud-copilot/iam-simulate. A denied request
 * fails with its action, resource and role. The report (commands x roles) goes to test-results/iam/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { permissionMatrix, roles, type Role } from '../../infra/platform/roles';
import { synthesize } from '../../infra/test/synth';
import { iamRequestsOf } from './aws-requests';
import { denials, evaluateRequest, type Evaluation } from './evaluate';
import { principalOf, whereOf, type Where } from './principals';
import { readCatalogs, repoRoot, type RecordedRequest } from './recording';
import { writeReport } from './report';
import { roleByName, stackViews, type ResolvedRole, type StackView } from './stack-policies';

const ACCOUNT = '111122223333';
const STAGING: Where = { stage: 'staging', region: 'us-east-1' };

/**
 * Requests a test sends on purpose to an alarm or replay outside the roles' name patterns: one
 * that does not exist (`nope`) or was started outside the console (`foreign-*`, listReplays'
 * per-item fallback). They must be denied. (An execution named `nope` is inside the pattern.)
 */
const deliberatelyForeign = (r: RecordedRequest) => /:alarm:nope$|:replay\/(nope|foreign-[\w.-]+)$/.test(r.resource);

/**
 * Source files whose commands no test records yet, each with the reason (listed in the report).
 * Every entry is a gap in the evaluation: remove it once the file's tests go through testPlatform.
 */
const notYetRecorded: Record<string, string> = {};

/**
 * A console request recorded as one role, as every console role that holds all that role's
 * permissions (permission matrix): each of them may send it, so its operator role must allow it.
 */
function asEveryRoleThatMaySend(r: RecordedRequest): RecordedRequest[] {
  const [kind, role] = r.role.split(':');
  if (kind !== 'operator-role' || !roles.includes(role as Role)) return [r];
  const needed = permissionMatrix[role as Role];
  return roles
    .filter((q) => needed.every((p) => permissionMatrix[q].includes(p)))
    .map((q) => ({ ...r, role: `operator-role:${q}` }));
}

let stacks: StackView[];
let evaluations: Evaluation[];
let missingPrincipals: string[];
const catalogs = readCatalogs();

async function evaluateAs(request: RecordedRequest, role: ResolvedRole, where = whereOf(request, STAGING)) {
  const { keys } = principalOf(stacks, request, where);
  return evaluateRequest(request, { role, keys, stacks });
}

beforeAll(async () => {
  const { outdir } = synthesize({ nag: false, console: true, context: { localSynth: true } });
  stacks = stackViews(new CloudAssembly(outdir), ACCOUNT);
  evaluations = [];
  missingPrincipals = [];
  for (const { source, request } of catalogs.flatMap(({ source, request }) =>
    asEveryRoleThatMaySend(request).map((r) => ({ source, request: r })),
  )) {
    const p = principalOf(stacks, request, whereOf(request, STAGING));
    if (!p.role) {
      missingPrincipals.push(`${request.role} for ${request.command} (${source}): ${p.missing}`);
      continue;
    }
    evaluations.push(await evaluateRequest(request, { role: p.role, keys: p.keys, stacks }));
  }
  const counts = writeReport(evaluations, [
    ...(missingPrincipals.length ? ['Not evaluated (principal not synthesized):', ...missingPrincipals] : []),
    ...(Object.keys(notYetRecorded).length
      ? ['Source files whose AWS commands no test records yet (not evaluated):']
      : []),
    ...Object.entries(notYetRecorded).map(([f, why]) => `- ${f}: ${why}`),
  ]);
  console.log(
    `[iam] ${counts.requests} requests evaluated: ${counts.allowed} allowed, ${counts.denied} denied (${counts.commands} commands x ${counts.roles} roles); report: test-results/iam/iam-evaluation.md`,
  );
});

describe('IAM evaluation of the recorded AWS requests', () => {
  it('has recorded requests of the console (every operator role) and of the Lambdas', () => {
    const roles = new Set(catalogs.map((c) => c.request.role));
    for (const r of ['operator-role:viewer', 'operator-role:operator', 'console-task', 'lambda:processor'])
      expect(roles, `no recorded request as ${r}`).toContain(r);
  });

  it('allows every recorded request to the role that sends it (0 denied)', () => {
    const denied = denials(evaluations.filter((e) => !deliberatelyForeign(e.request)));
    expect(denied, denied.join('\n')).toEqual([]);
  });

  it('evaluates every recorded request: each principal exists in the synthesized stacks', () => {
    expect(missingPrincipals, missingPrincipals.join('\n')).toEqual([]);
  });

  it("denies what tests name as another stage's or nobody's resource", () => {
    const foreign = evaluations.filter((e) => deliberatelyForeign(e.request));
    expect(foreign.length).toBeGreaterThan(0);
    expect(foreign.filter((e) => e.outcome === 'Allowed').map((e) => `${e.request.action} ${e.resource}`)).toEqual([]);
  });

  it('covers every AWS command the console adapter and the Lambdas send', () => {
    const recorded = new Set(catalogs.map((c) => c.request.command.split(':')[1]));
    /** Commands that need no IAM permission. */
    const free = new Set(['GetCallerIdentity']);
    const sources = [
      ...readdirSync(join(repoRoot, 'server/platform/aws')).map((f) => `server/platform/aws/${f}`),
      ...['infra/lambda', 'infra/lambda/adapters', 'infra/lambda/shared'].flatMap((d) =>
        readdirSync(join(repoRoot, d)).map((f) => `${d}/${f}`),
      ),
    ]
      // Test fixtures: testing.ts, the contract harness and its fakes.
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !/\/(testing|contract-[a-z-]+)\.ts$/.test(f));
    const missing: string[] = [];
    for (const file of sources.filter((f) => !notYetRecorded[f])) {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      for (const m of text.matchAll(/new ([A-Z][A-Za-z]+)Command\(/g)) {
        const name = m[1]!;
        if (!free.has(name) && !recorded.has(name)) missing.push(`${name} (${file})`);
      }
    }
    expect([...new Set(missing)], 'commands sent by the code but never recorded by a test').toEqual([]);
  });
});

describe('the evaluation catches the known defects when they are put back', () => {
  const recordedAs = (role: string, action: string, resourcePart = '') => {
    const found = catalogs.find(
      (c) => c.request.role === role && c.request.action === action && c.request.resource.includes(resourcePart),
    );
    if (!found) throw new Error(`no recorded ${action} as ${role}`);
    return found.request;
  };

  it('denies replays named outside ledgerline-<stage>-* (the old replay-<time>-<id> names)', async () => {
    const operator = roleByName(stacks, 'ledgerline-staging-console-operator')!;
    for (const action of ['events:StartReplay', 'events:DescribeReplay', 'events:CancelReplay']) {
      const recorded = recordedAs('operator-role:operator', action, ':replay/');
      expect(recorded.resource).toMatch(/:replay\/ledgerline-staging-/);
      expect((await evaluateAs(recorded, operator)).outcome, `${action} ${recorded.resource}`).toBe('Allowed');
      const old = {
        ...recorded,
        resource: recorded.resource.replace(/replay\/.*$/, 'replay/replay-20261126T120000-id1'),
      };
      expect((await evaluateAs(old, operator)).outcome, `${action} ${old.resource}`).toBe('ImplicitlyDenied');
    }
  });

  it('denies cloudformation:DescribeStacks to the console task role without its grant (config.ts reads the stack outputs)', async () => {
    const describeStacks = recordedAs('console-task', 'cloudformation:DescribeStacks', ':stack/ledgerline-staging-');
    const task = roleByName(stacks, 'ledgerline-staging-console-task-us-east-1');
    expect(task, 'no console task role synthesized').not.toBeNull();
    expect((await evaluateAs(describeStacks, task!)).outcome).toBe('Allowed');
    type Doc = { Statement: { Action: string | string[] }[] };
    const withoutGrant: ResolvedRole = {
      ...task!,
      policies: task!.policies.map((p) => {
        const doc = p.policy as Doc;
        const Statement = doc.Statement.filter((st) => ![st.Action].flat().includes('cloudformation:DescribeStacks'));
        return { ...p, policy: { ...doc, Statement } };
      }),
    };
    expect((await evaluateAs(describeStacks, withoutGrant)).outcome).toBe('ImplicitlyDenied');
  });

  it('denies cloudwatch:DescribeAlarms by name prefix (authorized on alarm:*), which is why the console lists alarms by name', async () => {
    const viewer = roleByName(stacks, 'ledgerline-staging-console-viewer')!;
    const byPrefix = iamRequestsOf(
      'CloudWatch',
      'DescribeAlarmsCommand',
      { AlarmNamePrefix: 'ledgerline-staging-' },
      {
        account: ACCOUNT,
        region: 'us-east-1',
      },
    ).map((r) => ({ ...r, role: 'operator-role:viewer' }));
    expect(byPrefix.map((r) => r.resource)).toEqual([`arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:*`]);
    expect((await evaluateAs(byPrefix[0]!, viewer)).outcome).toBe('ImplicitlyDenied');
    const byName = catalogs
      .map((c) => c.request)
      .filter((r) => r.role === 'operator-role:viewer' && r.action === 'cloudwatch:DescribeAlarms');
    expect(byName.length).toBeGreaterThan(1);
    expect(byName.filter((r) => r.resource.endsWith(':alarm:*'))).toEqual([]);
  });
});
