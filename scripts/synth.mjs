#!/usr/bin/env node
/**
 * `npm run synth`: synthesizes every stage and region into cdk.out/ without AWS credentials
 * (Lambda bundles built locally by esbuild, cdk-nag packs run as validation plugins: any
 * unacknowledged finding fails synth), then prints
 *   - the cdk-nag acknowledgements per pack (from the cloud assembly metadata), and
 *   - each Lambda bundle's size (target < 1 MB minified).
 * The console stacks (infra/lib/console-stack.ts) stage the Docker build context as an asset; the
 * image is built at deploy time, so this needs no Docker daemon.
 * aws-cdk-lib's own CloudFormation check runs unless CDK_VALIDATION=false is set.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const outdir = 'cdk.out';
const env = {
  ...process.env,
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
};
const started = Date.now();
// localSynth=true: this synth is a local check, not a deployment, so production may synthesize
// without alarm subscriptions (pass -c alarmEmails=... / -c alarmHttpsUrls=... to cdk deploy).
const args = ['cdk', 'synth', '--quiet', '--no-notices', '--no-version-reporting', '--output', outdir];
const r = spawnSync('npx', [...args, '-c', 'localSynth=true'], {
  stdio: 'inherit',
  env,
});
if (r.status !== 0) {
  console.error(`[synth] failed (exit ${r.status}); see ${outdir}/validation-report.json for cdk-nag findings`);
  process.exit(r.status ?? 1);
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);

const packs = ['AwsSolutions', 'PCI.DSS.321', 'NIST.800.53.R5', 'Serverless'];
const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
const stacks = Object.entries(manifest.artifacts)
  .filter(([, a]) => a.type === 'aws:cloudformation:stack')
  .map(([name]) => name);

const perPack = Object.fromEntries(packs.map((p) => [p, 0]));
const perStack = {};
for (const stack of stacks) {
  const metadataFile = join(outdir, `${stack}.metadata.json`);
  const metadata = existsSync(metadataFile)
    ? JSON.parse(readFileSync(metadataFile, 'utf8'))
    : (manifest.artifacts[stack].metadata ?? {});
  perStack[stack] = Object.fromEntries(packs.map((p) => [p, 0]));
  for (const entries of Object.values(metadata)) {
    for (const e of entries) {
      if (e.type !== 'aws:cdk:acknowledged-rules') continue;
      for (const id of Object.keys(e.data)) {
        const pack = packs.find((p) => id.startsWith(`${p}::`));
        if (!pack) continue; // aws-cdk-lib's own CloudFormation-Validate acknowledgements
        perPack[pack]++;
        perStack[stack][pack]++;
      }
    }
  }
}

console.log(`\n[synth] ${stacks.length} stacks synthesized in ${seconds} s: ${stacks.join(', ')}`);
const consoleStacks = stacks.filter((s) => s.includes('-console-'));
console.log(`[synth] console stacks (beside each platform stack): ${consoleStacks.join(', ') || 'none'}`);
console.log(
  '[synth] cdk-nag: 0 unacknowledged findings. Acknowledgements per pack (each one rule on one construct, with a reason):',
);
for (const p of packs) {
  const split = stacks.map((s) => `${s}: ${perStack[s][p]}`).join(', ');
  console.log(`  ${p.padEnd(16)} ${String(perPack[p]).padStart(4)}   (${split})`);
}

// The validation report lists the findings each acknowledgement silenced (and any left).
const reportFile = join(outdir, 'validation-report.json');
if (existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const silenced = Object.fromEntries(packs.map((p) => [p, 0]));
  let left = 0;
  for (const pr of report.pluginReports ?? []) {
    left += (pr.violations ?? []).length;
    if (pr.pluginName in silenced)
      silenced[pr.pluginName] = (pr.suppressedViolations ?? []).reduce(
        (n, v) => n + (v.violatingConstructs ?? []).length,
        0,
      );
  }
  console.log(
    `[synth] findings silenced by those acknowledgements: ${packs.map((p) => `${p} ${silenced[p]}`).join(', ')}; unacknowledged: ${left}`,
  );
}

console.log('[synth] Lambda bundles (index.mjs, minified; source map alongside):');
const limit = 1024 * 1024;
let over = 0;
for (const stack of stacks) {
  const template = JSON.parse(readFileSync(join(outdir, `${stack}.template.json`), 'utf8'));
  for (const [logicalId, res] of Object.entries(template.Resources)) {
    if (res.Type !== 'AWS::Lambda::Function' || !res.Properties?.FunctionName) continue; // skip CDK's own provider
    const asset = res.Metadata?.['aws:asset:path'];
    const dir = asset ? join(outdir, asset) : null;
    if (!dir || !existsSync(dir)) {
      console.log(`  ${stack} ${logicalId}: no local bundle`);
      continue;
    }
    const files = readdirSync(dir);
    const main = files.find((f) => f.endsWith('.mjs') || f.endsWith('.js'));
    const size = main ? statSync(join(dir, main)).size : 0;
    const map = files.filter((f) => f.endsWith('.map')).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    if (size >= limit) over++;
    if (stack === stacks[0] || stack === consoleStacks[0] || size >= limit) {
      const name = typeof res.Properties.FunctionName === 'string' ? res.Properties.FunctionName : logicalId;
      console.log(
        `  ${name.padEnd(44)} ${(size / 1024).toFixed(1).padStart(7)} KiB  (map ${(map / 1024).toFixed(0)} KiB)${size >= limit ? '  OVER 1 MB' : ''}`,
      );
    }
  }
}
console.log(`  (same bundles in every stack; ${over} over 1 MB)`);
