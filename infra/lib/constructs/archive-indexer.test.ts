/**
 * The capacity plan in the synthesized platform: the archive indexer's reserved concurrency is
 * the plan's, every reserved concurrency of a stack adds up to the plan's total (no function
 * outside the plan), and each quota increase the account and region needs is a synth warning.
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { namesFor, primaryRegion, secondaryRegion } from '../../platform/description';
import { resourcesOf, synthesize, type Synthesized } from '../../test/synth';
import { accountRegionCapacity, CAPACITY_QUOTA_ID } from '../capacity';
import type { DeployedStage } from '../platform-stack';

const stacks: [DeployedStage, string][] = [
  ['staging', primaryRegion],
  ['production', secondaryRegion],
  ['production', primaryRegion],
];
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const quota = Match.stringLikeRegexp(`^\\[${CAPACITY_QUOTA_ID}\\] `);

let app: Synthesized;
beforeAll(() => {
  app = synthesize({ nag: false });
});

describe('capacity plan in the synthesized stacks', () => {
  it.each(stacks)(
    '%s %s: the archive indexer reserves the plan’s concurrency and all reservations add up to the plan’s total',
    (stage, region) => {
      const { plan } = app.stack(stage, region);
      const functions = resourcesOf(app.template(stage, region), 'AWS::Lambda::Function');
      const indexer = functions.find(
        ([, f]) => f.Properties?.FunctionName === `${namesFor(stage).prefix}-archive-indexer`,
      );
      expect(indexer).toBeDefined();
      expect(indexer![1].Properties!.ReservedConcurrentExecutions).toBe(plan.archiveIndexerReservedConcurrency);
      const reserved = functions.reduce((n, [, f]) => n + Number(f.Properties?.ReservedConcurrentExecutions ?? 0), 0);
      expect(reserved).toBe(plan.totalReservedConcurrency);
      expect(plan.totalReservedConcurrency).toBeGreaterThan(plan.archiveIndexerReservedConcurrency);
    },
  );

  it('tells every us-east-1 stack each quota staging and production need there together', () => {
    const here = stacks.filter(([, r]) => r === primaryRegion).map(([s, r]) => app.stack(s, r));
    expect(here).toHaveLength(2);
    // Same `account` for every stage by default: the two stacks share the region's quotas.
    const shared = accountRegionCapacity(here.map((s) => ({ name: s.stackName, plan: s.plan })));
    expect(shared.totalReservedConcurrency).toBe(
      here[0]!.plan.totalReservedConcurrency + here[1]!.plan.totalReservedConcurrency,
    );
    expect(shared.quotaIncreasesNeeded.join('\n')).toMatch(/StartExecution[\s\S]*Lambda concurrent executions/);
    const stack = app.stack('production', primaryRegion);
    const annotations = Annotations.fromStack(stack);
    for (const q of shared.quotaIncreasesNeeded) {
      annotations.hasInfo(
        `/${stack.stackName}`,
        Match.stringLikeRegexp(
          `^\\[${CAPACITY_QUOTA_ID}\\] .*${escapeRegExp(q)}.*${escapeRegExp(shared.breakdown)} reserved`,
        ),
      );
    }
    expect(annotations.findInfo('*', quota)).toHaveLength(shared.quotaIncreasesNeeded.length);
    annotations.hasNoWarning('*', Match.stringLikeRegexp(CAPACITY_QUOTA_ID));
  });

  it('tells the eu-west-1 stack the quotas production alone needs there', () => {
    const stack = app.stack('production', secondaryRegion);
    expect(stack.plan.quotaIncreasesNeeded.length).toBeGreaterThan(0);
    const annotations = Annotations.fromStack(stack);
    for (const q of stack.plan.quotaIncreasesNeeded)
      annotations.hasInfo(
        `/${stack.stackName}`,
        Match.stringLikeRegexp(`^\\[${CAPACITY_QUOTA_ID}\\] .*${escapeRegExp(q)}`),
      );
    expect(annotations.findInfo('*', quota)).toHaveLength(stack.plan.quotaIncreasesNeeded.length);
  });
});
