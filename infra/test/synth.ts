/**
 * Test helper: synthesizes the platform app ONCE per test file (bundling skipped, aws-cdk-lib's
 * CloudFormation check off: `npm run synth` runs that once) and shares the templates. The alarm
 * topics get a test subscription (`TEST_ALARM_EMAIL`): production does not synthesize without
 * one; pass `alarmEmails: undefined` in `options.context` to synthesize without it.
 */
import { rmSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll } from 'vitest';
import { buildApp, stackId, type BuildOptions } from '../lib/app';
import type { DeployedStage, PlatformStack } from '../lib/platform-stack';

process.env.CDK_VALIDATION = 'false';

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The alarm subscription every synthesized stage gets in tests. */
export const TEST_ALARM_EMAIL = 'ledgerline-oncall@example.com';

export interface Synthesized {
  /** The cloud assembly directory (templates, validation-report.json). */
  outdir: string;
  stacks: PlatformStack[];
  stack(stage: DeployedStage, region: string): PlatformStack;
  template(stage: DeployedStage, region: string): Template;
}

export function synthesize(options: BuildOptions = {}): Synthesized {
  const { app, stacks } = buildApp({
    ...options,
    context: { 'aws:cdk:bundling-stacks': [], alarmEmails: TEST_ALARM_EMAIL, ...options.context },
  });
  const assembly = app.synth();
  outdirs.push(assembly.directory);
  const templates = new Map<string, Template>();
  const find = (stage: DeployedStage, region: string) => {
    const s = stacks.find((x) => x.stackName === stackId(stage, region));
    if (!s) throw new Error(`no stack ${stackId(stage, region)}`);
    return s;
  };
  return {
    outdir: assembly.directory,
    stacks,
    stack: find,
    template(stage, region) {
      const id = stackId(stage, region);
      let t = templates.get(id);
      if (!t) {
        t = Template.fromStack(find(stage, region));
        templates.set(id, t);
      }
      return t;
    },
  };
}

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; Condition?: string; Metadata?: Record<string, unknown> }
>;

/** Resources of a type, as [logicalId, resource] pairs. */
export function resourcesOf(t: Template, type: string): [string, Resources[string]][] {
  return Object.entries(t.toJSON().Resources as Resources).filter(([, r]) => r.Type === type);
}

export function allResources(t: Template): [string, Resources[string]][] {
  return Object.entries(t.toJSON().Resources as Resources);
}
