/**
 * Builds the CDK app: every stage's stacks, the cdk-nag packs, decided at synth time.
 * Used by infra/bin/app.ts (cdk synth) and by the tests (same stacks, same settings).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, type AppProps } from 'aws-cdk-lib';
import { consoleNamesFor } from '../platform/console';
import { DEFAULT_EVENT_PROCESSING_CAPACITY, namesFor, primaryRegion, secondaryRegion } from '../platform/description';
import { ConsoleStack } from './console-stack';
import { addNagPlugins } from './nag';
import { PlatformStack, type DeployedStage } from './platform-stack';

export const featureFlags = JSON.parse(
  readFileSync(fileURLToPath(new URL('../feature-flags.json', import.meta.url)), 'utf8'),
) as Record<string, unknown>;

export const deployedStages: DeployedStage[] = ['staging', 'production'];

export interface PlatformApp {
  app: App;
  stacks: PlatformStack[];
  /** The console stacks beside the platform stacks (empty unless `console: true`). */
  consoleStacks: ConsoleStack[];
}

export interface BuildOptions {
  /** Extra context (e.g. `aws:cdk:bundling-stacks: []` in unit tests). Feature flags are always included. */
  context?: Record<string, unknown>;
  /** Run the cdk-nag packs as validation plugins (default true). */
  nag?: boolean;
  /** Only these stages (default all). */
  stages?: DeployedStage[];
  outdir?: string;
  /**
   * Also build the console's deployment stack beside each platform stack (infra/bin/app.ts, so
   * `npm run synth` and `cdk deploy`, always do; tests of the platform alone leave it out).
   */
  console?: boolean;
}

function contextValue(app: App, key: string): string | undefined {
  const v: unknown = app.node.tryGetContext(key);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Error(`context ${key} must be a string or number, got ${JSON.stringify(v)}`);
}

/** Stack id of a stage in a region: `ledgerline-<stage>-<region>`. */
export function stackId(stage: DeployedStage, region: string): string {
  return `${namesFor(stage).prefix}-${region}`;
}

export function buildApp(options: BuildOptions = {}): PlatformApp {
  const props: AppProps = { context: { ...featureFlags, ...options.context }, outdir: options.outdir };
  const app = new App(props);
  if (options.nag !== false) addNagPlugins(app);

  const planned = Number(contextValue(app, 'eventProcessingCapacity') ?? DEFAULT_EVENT_PROCESSING_CAPACITY);
  if (!Number.isFinite(planned) || planned < 10_000 || planned > 1_000_000) {
    throw new Error(
      `context eventProcessingCapacity must be 10000..1000000 events/min, got ${contextValue(app, 'eventProcessingCapacity')}`,
    );
  }
  const writeRegion = contextValue(app, 'writeRegion') ?? primaryRegion;
  if (writeRegion !== primaryRegion && writeRegion !== secondaryRegion) {
    throw new Error(`context writeRegion must be ${primaryRegion} or ${secondaryRegion}, got ${writeRegion}`);
  }
  const account = contextValue(app, 'account') ?? process.env.CDK_DEFAULT_ACCOUNT;
  const common = {
    owner: contextValue(app, 'owner') ?? 'payments-platform',
    costCenter: contextValue(app, 'costCenter') ?? 'CC-4410',
    plannedCapacityPerMinute: planned,
  };

  const stacks: PlatformStack[] = [];
  const consoleStacks: ConsoleStack[] = [];
  for (const stage of options.stages ?? deployedStages) {
    const regional = stage === 'production';
    let secondary: PlatformStack | undefined;
    if (regional) {
      secondary = new PlatformStack(app, stackId(stage, secondaryRegion), {
        ...common,
        env: { account, region: secondaryRegion },
        description: `Ledgerline event-processing platform (${stage}, ${secondaryRegion}, secondary)`,
        stage,
        placement: 'secondary',
        primaryRegion,
        secondaryRegion,
        writeRegion,
        crossRegionReferences: false,
      });
    }
    const primary = new PlatformStack(app, stackId(stage, primaryRegion), {
      ...common,
      env: { account, region: primaryRegion },
      description: `Ledgerline event-processing platform (${stage}, ${primaryRegion}${regional ? ', primary' : ''})`,
      stage,
      placement: 'primary',
      primaryRegion,
      secondaryRegion: regional ? secondaryRegion : undefined,
      // Staging has one region: it is always the write region.
      writeRegion: regional ? writeRegion : primaryRegion,
    });
    // The replica keys and the secondary bus must exist before the tables and the endpoint.
    if (secondary) {
      primary.addStackDependency(secondary, 'replica KMS key (alias) and secondary bus of the global endpoint');
      stacks.push(secondary);
    }
    stacks.push(primary);
    if (options.console) {
      const regions = secondary ? [primaryRegion, secondaryRegion] : [primaryRegion];
      for (const platform of secondary ? [primary, secondary] : [primary]) {
        const region = platform.region;
        consoleStacks.push(
          new ConsoleStack(app, consoleNamesFor(stage).stackName(region), {
            env: { account, region },
            description: `Ledgerline console (${stage}, ${region}) beside ${platform.stackName}`,
            stage,
            platform,
            stageRegions: regions,
            owner: common.owner,
            costCenter: common.costCenter,
          }),
        );
      }
    }
  }
  return { app, stacks, consoleStacks };
}
