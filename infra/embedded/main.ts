/**
 * The embedded platform's engine process:
 *   node --import tsx infra/embedded/main.ts [--rate 5] [--poison 0.01] [--insufficient 0.05]
 *        [--duplicates 0.02] [--outage SettlePayment] [--slow 200] [--data-dir .data] [--no-seed]
 * Environment: LEDGERLINE_DATA_DIR, LEDGERLINE_TRAFFIC_RATE, LEDGERLINE_POISON_RATIO,
 * LEDGERLINE_INSUFFICIENT_FUNDS_RATIO, LEDGERLINE_DUPLICATE_RATIO, LEDGERLINE_OUTAGE_STEP,
 * LEDGERLINE_SLOW_CONSUMER_MS. CLI flags win over the environment.
 * SIGTERM/SIGINT: finishes the current transaction and exits 0. SIGKILL: every unit of work is
 * one SQLite transaction, so nothing is lost or applied twice; the next start carries on.
 * (No `server-only` import here: this runs under plain Node, outside Next.)
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Engine } from './engine';
import { defaultTrafficKnobs, trafficKnobsSchema, type TrafficKnobs } from './traffic.schema';

const num = z.coerce.number();
const envSchema = z.object({
  LEDGERLINE_DATA_DIR: z.string().min(1).default('.data'),
  LEDGERLINE_TRAFFIC_RATE: num.optional(),
  LEDGERLINE_POISON_RATIO: num.optional(),
  LEDGERLINE_INSUFFICIENT_FUNDS_RATIO: num.optional(),
  LEDGERLINE_DUPLICATE_RATIO: num.optional(),
  LEDGERLINE_OUTAGE_STEP: z.string().optional(),
  LEDGERLINE_SLOW_CONSUMER_MS: num.optional(),
  LEDGERLINE_ENGINE_BATCH: num.optional(),
  LEDGERLINE_VISIBILITY_TIMEOUT: num.optional(),
});

function fail(message: string): never {
  process.stderr.write(`engine: ${message}\n`);
  process.exit(2);
}

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string' },
    poison: { type: 'string' },
    insufficient: { type: 'string' },
    duplicates: { type: 'string' },
    outage: { type: 'string' },
    slow: { type: 'string' },
    'data-dir': { type: 'string' },
    batch: { type: 'string' },
    'visibility-timeout': { type: 'string' },
    'no-seed': { type: 'boolean' },
    quiet: { type: 'boolean' },
  },
});

const envParsed = envSchema.safeParse(process.env);
if (!envParsed.success) fail(envParsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; '));
const env = envParsed.data;

const pickNum = (flag: string | undefined, fromEnv: number | undefined) =>
  flag !== undefined ? Number(flag) : fromEnv;
const knobInput: Record<string, unknown> = { ...defaultTrafficKnobs };
const set = (k: keyof TrafficKnobs, v: unknown) => {
  if (v !== undefined) knobInput[k] = v;
};
set('rate', pickNum(args.rate, env.LEDGERLINE_TRAFFIC_RATE));
set('poisonRatio', pickNum(args.poison, env.LEDGERLINE_POISON_RATIO));
set('insufficientFundsRatio', pickNum(args.insufficient, env.LEDGERLINE_INSUFFICIENT_FUNDS_RATIO));
set('duplicateRatio', pickNum(args.duplicates, env.LEDGERLINE_DUPLICATE_RATIO));
set('slowConsumerMs', pickNum(args.slow, env.LEDGERLINE_SLOW_CONSUMER_MS));
const outage = args.outage ?? env.LEDGERLINE_OUTAGE_STEP;
if (outage !== undefined) set('outageStep', outage === '' || outage === 'none' ? null : outage);
const knobs = trafficKnobsSchema.safeParse(knobInput);
if (!knobs.success)
  fail(`invalid traffic knobs: ${knobs.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);

const quiet = args.quiet === true;
const log = (line: string) => {
  if (!quiet) process.stdout.write(`[engine] ${new Date().toISOString()} ${line}\n`);
};

const engine = new Engine({
  dataDir: args['data-dir'] ?? env.LEDGERLINE_DATA_DIR,
  traffic: knobs.data,
  seed: args['no-seed'] !== true,
  batchSize: pickNum(args.batch, env.LEDGERLINE_ENGINE_BATCH),
  visibilityTimeoutSeconds: pickNum(args['visibility-timeout'], env.LEDGERLINE_VISIBILITY_TIMEOUT),
  backgroundCheckpoint: true,
  log,
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  try {
    await engine.stop();
    engine.close();
    log('stopped cleanly');
    process.exit(0);
  } catch (e) {
    process.stderr.write(`engine: shutdown failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  await engine.start();
  if (process.send) process.send({ ready: true });
  await engine.run();
} catch (e) {
  process.stderr.write(`engine: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
}
