/**
 * The delivery pipeline (.github/workflows/*.yml) is validated here, in `npm test`:
 * - every workflow file passes @action-validator/cli (GitHub's workflow schema) with exit 0, and
 *   a broken workflow does not (the check can fail);
 * - deploy.yml's job graph is synth + tests -> deploy staging -> e2e against staging with
 *   mutations -> production in both regions behind the `production` environment (its required
 *   reviewers are the manual approval), with OIDC and no stored AWS keys.
 * No YAML parser is a direct dependency (`yaml` and `js-yaml` are only transitive), so the job
 * graph is read from the file's text: two-space job keys under `jobs:`, their `needs:` and
 * `environment:` lines.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { consoleNamesFor } from '../../infra/platform/console';
import { namesFor, primaryRegion, secondaryRegion } from '../../infra/platform/description';

const root = fileURLToPath(new URL('../../', import.meta.url));
const validator = join(root, 'node_modules/.bin/action-validator');
const workflowsDir = join(root, '.github/workflows');
const workflows = readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f));
const validate = (file: string) => spawnSync(validator, [file], { encoding: 'utf8', timeout: 60_000 });

interface Job {
  needs: string[];
  environment: string | null;
  body: string;
}

/** Jobs of a workflow from its text: `  <id>:` lines under `jobs:`, each job's block up to the next. */
function jobsOf(text: string): Map<string, Job> {
  const jobsBlock = text.slice(text.search(/^jobs:\s*$/m));
  const jobs = new Map<string, Job>();
  const heads = [...jobsBlock.matchAll(/^ {2}([A-Za-z0-9_-]+):\s*$/gm)];
  heads.forEach((m, i) => {
    const body = jobsBlock.slice(m.index, heads[i + 1]?.index ?? jobsBlock.length);
    const needsLine = /^ {4}needs:\s*(.+)$/m.exec(body)?.[1] ?? '';
    const needs = needsLine
      .replace(/[[\]]/g, '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const environment = /^ {4}environment:\s*([A-Za-z0-9_-]+)\s*$/m.exec(body)?.[1] ?? null;
    jobs.set(m[1]!, { needs, environment, body });
  });
  return jobs;
}

describe('GitHub workflows', () => {
  it('there is a deploy workflow, and every workflow file passes action-validator (exit 0)', () => {
    expect(workflows).toContain('deploy.yml');
    for (const f of workflows) {
      const r = validate(join(workflowsDir, f));
      expect(r.error, f).toBeUndefined();
      expect(r.status, `${f}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  it('action-validator rejects a broken workflow (the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-workflow-'));
    try {
      const broken = join(dir, 'broken.yml');
      writeFileSync(
        broken,
        'name: broken\non: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    stepz:\n      - run: true\n',
      );
      expect(validate(broken).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('deploy.yml: synth + tests → deploy staging → e2e on staging with mutations → production after approval', () => {
    const text = readFileSync(join(workflowsDir, 'deploy.yml'), 'utf8');
    const jobs = jobsOf(text);
    expect([...jobs.keys()]).toEqual(['test', 'deploy-staging', 'e2e-staging', 'deploy-production']);
    const job = (id: string) => jobs.get(id)!;
    expect(job('test').needs).toEqual([]);
    expect(job('deploy-staging').needs).toEqual(['test']);
    expect(job('e2e-staging').needs).toEqual(['deploy-staging']);
    expect(job('deploy-production').needs).toEqual(['e2e-staging']);

    expect(job('test').body).toMatch(/run: npm test\s*$/m);
    expect(job('test').body).toContain('npm run synth');
    const staging = (r: string) => `${namesFor('staging').prefix}-${r}`;
    expect(job('deploy-staging').environment).toBe('staging');
    expect(job('deploy-staging').body).toContain(staging(primaryRegion));
    expect(job('deploy-staging').body).toContain(consoleNamesFor('staging').stackName(primaryRegion));
    expect(job('deploy-staging').body).not.toContain('ledgerline-production');

    expect(job('e2e-staging').environment).toBe('staging');
    expect(job('e2e-staging').body).toMatch(/E2E_ALLOW_MUTATIONS: 'true'/);
    expect(job('e2e-staging').body).toContain('E2E_BASE_URL: ${{ needs.deploy-staging.outputs.console-url }}');
    expect(job('e2e-staging').body).toContain('npx playwright test');
    for (const role of ['VIEWER', 'OPERATOR', 'APPROVER', 'ADMIN'])
      expect(job('e2e-staging').body).toContain(`E2E_${role}_PASSWORD: \${{ secrets.E2E_${role}_PASSWORD }}`);

    const production = job('deploy-production');
    expect(production.environment).toBe('production');
    const prod = (r: string) => `${namesFor('production').prefix}-${r}`;
    const order = [prod(secondaryRegion), prod(primaryRegion)].map((s) =>
      production.body.search(new RegExp(`${s}\\s`)),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order[0]).toBeLessThan(order[1]!);
  });

  it('reaches AWS through OIDC only: id-token for the AWS jobs, no stored keys, the e2e job on the e2e roles', () => {
    const text = readFileSync(join(workflowsDir, 'deploy.yml'), 'utf8');
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
    const jobs = jobsOf(text);
    for (const id of ['deploy-staging', 'e2e-staging', 'deploy-production']) {
      expect(jobs.get(id)!.body, id).toMatch(/id-token: write/);
      expect(jobs.get(id)!.body, id).toContain('aws-actions/configure-aws-credentials');
    }
    expect(jobs.get('test')!.body).not.toContain('configure-aws-credentials');
    expect(jobs.get('e2e-staging')!.body).toContain('role-to-assume: ${{ needs.deploy-staging.outputs.e2e-role-arn }}');
    // The driver's two roles, assumed from the runner role, come from the staging stack's outputs.
    for (const [env, output] of [
      ['E2E_PUBLISHER_ROLE_ARN', 'e2e-publisher-role-arn'],
      ['E2E_FAULTS_ROLE_ARN', 'e2e-faults-role-arn'],
    ]) {
      expect(jobs.get('e2e-staging')!.body).toContain(`${env}: \${{ needs.deploy-staging.outputs.${output} }}`);
      expect(jobs.get('deploy-staging')!.body).toContain(`${output}: \${{ steps.outputs.outputs.${output} }}`);
    }
    expect(text.split('\n').slice(0, 12).join('\n')).toMatch(/Why GitHub Actions and not CDK Pipelines/);
  });
});
