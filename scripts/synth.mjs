#!/usr/bin/env node
// Synthesizes every stack into cdk.out/ without AWS credentials.
import { spawnSync } from 'node:child_process';

const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_REGION: process.env.AWS_REGION ?? 'us-east-1' };
const r = spawnSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--no-version-reporting'], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
