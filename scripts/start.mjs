#!/usr/bin/env node
/**
 * `npm start`: builds the console if needed, then runs it together with the embedded platform
 * (when LEDGERLINE_BACKEND is local, the default) at http://127.0.0.1:$PORT (3000).
 * `--dev` runs `next dev` instead of a production build.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bindHostOf, bindHostProblem } from './host-check.mjs';

process.env.NEXT_TELEMETRY_DISABLED = '1';
const dev = process.argv.includes('--dev');
const port = process.env.PORT ?? '3000';
const host = bindHostOf(process.env);
const backend = process.env.LEDGERLINE_BACKEND ?? 'local';
const distDir = process.env.NEXT_DIST_DIR ?? '.next';

function log(message) {
  console.log(`[ledgerline] ${message}`);
}

// The local-only admin API must not be reachable from the network.
const hostProblem = bindHostProblem(process.env);
if (hostProblem) {
  console.error(`[ledgerline] refusing to start: ${hostProblem}`);
  process.exit(1);
}

function needsBuild() {
  const id = join(distDir, 'BUILD_ID');
  if (!existsSync(id)) return true;
  // Rebuild when the sources are newer than the build (a pulled change).
  const built = statSync(id).mtimeMs;
  const out = spawnSync('git', ['log', '-1', '--format=%ct'], { encoding: 'utf8' });
  const committed = Number(out.stdout.trim()) * 1000;
  return Number.isFinite(committed) && committed > built;
}

if (!dev && needsBuild()) {
  log('building the console (first start or sources changed)...');
  const r = spawnSync('npx', ['next', 'build'], { stdio: 'inherit', env: process.env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const children = [];
function run(name, command, args) {
  const child = spawn(command, args, { stdio: 'inherit', env: process.env });
  child.on('exit', (code, signal) => {
    if (shuttingDown) return;
    log(`${name} exited (${signal ?? code}); stopping`);
    shutdown(code ?? 1);
  });
  children.push(child);
  return child;
}

let shuttingDown = false;
function shutdown(code = 0) {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 5000).unref();
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : null))).then(() =>
    process.exit(code),
  );
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

const engineEntry = 'infra/embedded/main.ts';
if (backend === 'local') {
  mkdirSync(process.env.LEDGERLINE_DATA_DIR ?? '.data', { recursive: true });
  if (existsSync(engineEntry)) {
    log(`starting the embedded platform (data in ${process.env.LEDGERLINE_DATA_DIR ?? '.data'})`);
    run('embedded platform', process.execPath, ['--import', 'tsx', engineEntry]);
  } else {
    log('the embedded platform is not part of this build yet');
  }
}
const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
log(`console ${version} on http://${host}:${port} (${backend} backend)`);
// Idle keep-alive sockets live 65 s, longer than an ALB's 60 s idle timeout (AWS's advice: the
// target must not close a connection the load balancer may still reuse, or requests fail with
// 502 / ECONNRESET). Node's 5 s default also reset a reused socket in the e2e run.
run('console', 'npx', [
  'next',
  dev ? 'dev' : 'start',
  '-H',
  host,
  '-p',
  port,
  ...(dev ? [] : ['--keepAliveTimeout', '65000']),
]);
