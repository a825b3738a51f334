/**
 * cdk-nag 3 (AwsSolutions, PCI DSS 3.2.1, NIST 800-53 R5, Serverless) over every stack:
 * 0 unacknowledged findings, and every acknowledgement is one rule on one construct that
 * silences a finding which really exists (no stale or blanket acknowledgement).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwsSolutionsChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks, type NagPack } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledgements, nagPackPrefixes, recordAcknowledgementsOnly } from '../lib/nag';
import { synthesize } from './synth';

const packs = (): NagPack[] => [
  new AwsSolutionsChecks(),
  new PCIDSS321Checks(),
  new NIST80053R5Checks(),
  new ServerlessChecks(),
];
type Finding = { rule: string; path: string };

function findingsOf(stacks: ReturnType<typeof synthesize>['stacks']): Finding[] {
  const out: Finding[] = [];
  for (const pack of packs()) {
    for (const stack of stacks) {
      for (const v of pack.validateScope(stack).violations) {
        for (const r of v.violatingResources)
          out.push({ rule: v.ruleName, path: r.constructPath ?? r.resourceLogicalId ?? '?' });
      }
    }
  }
  return out;
}

let raw: Finding[];
let acks: typeof acknowledgements;
let report: {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: unknown[];
    suppressedViolations: { violatingConstructs: unknown[] }[];
  }[];
} | null;

beforeAll(() => {
  // 1) Acknowledgements recorded but not applied: the raw findings.
  recordAcknowledgementsOnly(true);
  raw = findingsOf(synthesize({ nag: false }).stacks);
  acks = [...acknowledgements];
  // 2) The real thing: the packs as validation plugins (synth throws on any finding) + a re-check.
  recordAcknowledgementsOnly(false);
  const app = synthesize({ nag: true }); // throws on any unacknowledged finding
  const file = join(app.outdir, 'validation-report.json');
  report = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as NonNullable<typeof report>) : null;
});
afterAll(() => recordAcknowledgementsOnly(false));

describe('cdk-nag', () => {
  it('reports 0 unacknowledged findings in the four packs for every stage and region', () => {
    expect(raw.length).toBeGreaterThan(0); // the packs do find things without the acknowledgements
    // The report lists the packs that had (acknowledged) findings; none may have a violation left.
    expect(report).not.toBeNull();
    expect(report!.pluginReports.length).toBeGreaterThan(0);
    for (const p of report!.pluginReports) {
      expect(p.violations, p.pluginName).toEqual([]);
      expect(p.conclusion).toBe('success');
    }
    const suppressed = report!.pluginReports.reduce(
      (n, p) => n + p.suppressedViolations.reduce((m, v) => m + v.violatingConstructs.length, 0),
      0,
    );
    expect(suppressed).toBe(raw.length);
  });

  it('acknowledges only findings that exist, each one on the construct that has it', () => {
    const unused = acks.filter((a) => !raw.some((f) => f.rule === a.id && f.path.startsWith(`${a.path}/`)));
    expect(unused).toEqual([]);
    const unacknowledged = raw.filter((f) => !acks.some((a) => f.rule === a.id && f.path.startsWith(`${a.path}/`)));
    expect(unacknowledged).toEqual([]);
  });

  it('never acknowledges IAM5 wholesale: each IAM5 acknowledgement names one finding, below stack level', () => {
    for (const a of acks) {
      expect(Object.values(nagPackPrefixes).some((p) => a.id.startsWith(p))).toBe(true);
      expect(a.path.split('/').length, `${a.id} on ${a.path}`).toBeGreaterThan(1);
      if (a.id.startsWith('AwsSolutions-IAM5') || a.id.startsWith('AwsSolutions-IAM4'))
        expect(a.id).toMatch(/\[(Resource|Action|Policy)::.+\]$/);
      expect(a.reason.length).toBeGreaterThan(40);
    }
  });
});
