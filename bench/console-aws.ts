/**
 * Fifty operators, one set of AWS calls: `npm run bench -- console-aws [--seconds 60] [--pollers 50]
 * [--latency 40] [--jitter 10]`.
 *
 * The AWS adapter with its per-region read cache (server/platform/aws/read-cache.ts) on mocked SDK
 * clients (the contract harness's fake AWS world) where every call takes 40 ms ± 10 ms of real time
 * and is counted. Pollers make the overview's platform reads (server/ops/read/overview.ts) every
 * 5 s, the console's overview poll, each starting at a random moment, for one minute of REAL time
 * per phase (not scaled): 1 poller, then 50 pollers of one role (distinct operators), then 50
 * pollers over all four roles (in extra: the cache never shares a result across roles). Writes
 * bench/results/console-aws.json: console.aws.calls_per_min.1, console.aws.calls_per_min.50
 * (target ≤ 1.2× the first) and console.aws.p95 (ms, one overview poll's reads, 50 pollers).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PhaseResult } from './fixtures/console-aws-pollers';
import { benchFlags } from './fixtures/flags';
import { benchLog } from './fixtures/measure';
import { writeResults } from './results';

const log = benchLog('console-aws');

export default function run(argv: string[]): Promise<void> {
  const flags = benchFlags(argv, {
    seconds: { kind: 'positive', default: 60 },
    pollers: { kind: 'count', default: 50 },
    latency: { kind: 'nonNegative', default: 40 },
    jitter: { kind: 'nonNegative', default: 10 },
  });
  log(`1 poller, ${flags.pollers} pollers of one role, then of four roles: ${flags.seconds} s each`);
  const worker = fileURLToPath(new URL('./fixtures/console-aws-pollers.ts', import.meta.url));
  const args = Object.entries(flags).flatMap(([k, v]) => [`--${k}`, String(v)]);
  // The console's server modules are server-only: the worker resolves them as the server does.
  const child = spawnSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', worker, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`the console-aws worker failed (exit ${child.status})`);
  const line = child.stdout.trim().split('\n').pop() ?? '';
  const r = JSON.parse(line) as {
    one: PhaseResult;
    many: PhaseResult;
    manyMixed: PhaseResult;
  } & Record<string, unknown>;
  const { one, many, manyMixed, ...params } = r;
  for (const p of [one, many, manyMixed])
    log(
      `${p.pollers} poller(s) [${p.roles.join(', ')}]: ${p.callsPerMinute.toFixed(1)} AWS calls/min, poll p95 ${p.pollMs.p95.toFixed(1)} ms, ${p.errors} errors`,
    );
  const ratio = many.callsPerMinute / one.callsPerMinute;
  log(
    `ratio 50:1 = ${ratio.toFixed(2)} (target ≤ 1.2); four roles: ${(manyMixed.callsPerMinute / one.callsPerMinute).toFixed(2)}`,
  );
  const extra = { ...params, ratio, one, many, manyMixed };
  const file = writeResults('console-aws', [
    { name: 'console.aws.calls_per_min.1', unit: 'calls/min', value: one.callsPerMinute, extra },
    { name: 'console.aws.calls_per_min.50', unit: 'calls/min', value: many.callsPerMinute, extra },
    { name: 'console.aws.p95', unit: 'ms', value: many.pollMs.p95, extra },
  ]);
  log(`wrote ${file}`);
  return Promise.resolve();
}
