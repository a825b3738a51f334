#!/usr/bin/env node
/**
 * `npm test`: typecheck, lint, unit, infra (synth + assertions + cdk-nag), e2e — in that order,
 * then one summary line per stage and a closing "N passed, N failed" line (tests counted).
 * Stops at the first failing stage. Installs Debian's chromium for the e2e stage when it is
 * missing and we run as root; otherwise prints the one command to run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

process.env.NEXT_TELEMETRY_DISABLED = '1';
process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const only = process.argv.slice(2); // e.g. `npm test -- unit e2e`

function ensureChromium() {
  if (existsSync(chromium)) return true;
  if (process.getuid?.() !== 0) {
    console.error(`Chromium is missing: run  sudo apt-get update && sudo apt-get install -y chromium`);
    return false;
  }
  console.log('[test] installing Debian chromium for the e2e tests (apt-get, ~1 min)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install =
    update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  if (!install || install.status !== 0 || !existsSync(chromium)) {
    console.error('Could not install chromium: run  apt-get update && apt-get install -y chromium');
    return false;
  }
  return true;
}

/** Runs a command, streaming its output, and resolves with its exit code and text. */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      text += d;
      process.stderr.write(d);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, text }));
  });
}

// Strips ANSI colour codes from runner output.
const plain = (s) => s.replace(/\u001b\[[0-9;]*m/g, '');
function vitestCounts(text) {
  const line = plain(text).match(/^\s*Tests\s+(.*)$/m)?.[1] ?? '';
  return {
    passed: Number(line.match(/(\d+) passed/)?.[1] ?? 0),
    failed: Number(line.match(/(\d+) failed/)?.[1] ?? 0),
  };
}
function playwrightCounts(text) {
  const t = plain(text);
  return {
    // A flaky test passed on its retry: it is reported, and counted as passed.
    passed: Number(t.match(/^\s*(\d+) passed/m)?.[1] ?? 0) + Number(t.match(/^\s*(\d+) flaky/m)?.[1] ?? 0),
    failed: Number(t.match(/^\s*(\d+) failed/m)?.[1] ?? 0),
  };
}

const stages = [
  { name: 'typecheck', steps: [['npm', ['run', '--silent', 'typecheck']]] },
  { name: 'lint', steps: [['npm', ['run', '--silent', 'lint']]] },
  { name: 'unit', steps: [['npx', ['vitest', 'run', '--project', 'unit']]], count: vitestCounts },
  {
    name: 'infra',
    steps: [
      ['npm', ['run', '--silent', 'synth']],
      ['npx', ['vitest', 'run', '--project', 'infra']],
    ],
    count: vitestCounts,
  },
  {
    name: 'e2e',
    before: ensureChromium,
    steps: [
      ['npx', ['next', 'build']],
      ['npx', ['playwright', 'test']],
    ],
    count: playwrightCounts,
  },
];

const summary = [];
let passed = 0;
let failed = 0;
let ok = true;
for (const stage of stages) {
  if (only.length && !only.includes(stage.name)) continue;
  if (!ok) {
    summary.push(`${stage.name}: not run`);
    continue;
  }
  const started = Date.now();
  console.log(`\n[test] ── ${stage.name} ──`);
  let result = { code: 0, text: '' };
  if (stage.before && !stage.before()) result = { code: 1, text: '' };
  for (const [command, args] of stage.steps) {
    if (result.code !== 0) break;
    result = await run(command, args);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const counts = stage.count?.(result.text);
  if (counts) {
    passed += counts.passed;
    failed += counts.failed;
  }
  const detail = counts ? ` (${counts.passed} passed, ${counts.failed} failed)` : '';
  summary.push(`${stage.name}: ${result.code === 0 ? 'passed' : 'FAILED'}${detail} in ${seconds} s`);
  if (result.code !== 0) {
    ok = false;
    if (!counts?.failed) failed += 1; // a failing stage without counted tests still counts as a failure
  }
}

console.log('\n[test] summary');
for (const line of summary) console.log(`  ${line}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
