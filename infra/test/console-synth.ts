/**
 * Test helper for the console stacks: synthesizes the app WITH the console stacks (bundling
 * skipped, aws-cdk-lib's CloudFormation check off, a local synth: placeholder certificate) and
 * reads their templates.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { buildApp, type BuildOptions, type PlatformApp } from '../lib/app';
import type { ConsoleStack } from '../lib/console-stack';
import { consoleNamesFor } from '../platform/console';
import { primaryRegion, secondaryRegion } from '../platform/description';
import { resourcesOf, TEST_ALARM_EMAIL } from './synth';

export type Json = Record<string, unknown>;
export const props = (r: { Properties?: Json }) => r.Properties ?? {};
export const baseContext = { 'aws:cdk:bundling-stacks': [], alarmEmails: TEST_ALARM_EMAIL, localSynth: 'true' };
/** Where a console stack stands: beside each platform stack. */
export const where = [
  ['staging', primaryRegion],
  ['production', primaryRegion],
  ['production', secondaryRegion],
] as const;

/** The app with the console stacks, synthesized. */
export function buildConsoleApp(options: BuildOptions = {}): PlatformApp {
  process.env.CDK_VALIDATION = 'false';
  const built = buildApp({ console: true, nag: false, ...options, context: { ...baseContext, ...options.context } });
  built.app.synth();
  return built;
}

const templates = new WeakMap<object, Template>();
export const tpl = (s: ConsoleStack | PlatformApp['stacks'][number]) => {
  let t = templates.get(s);
  if (!t) templates.set(s, (t = Template.fromStack(s)));
  return t;
};
export const consoleOf = (app: PlatformApp, stage: string, region: string) =>
  app.consoleStacks.find((s) => s.stackName === consoleNamesFor(stage as 'staging').stackName(region))!;
/** The one resource of a type. */
export const one = (t: Template, type: string) => {
  const found = resourcesOf(t, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
