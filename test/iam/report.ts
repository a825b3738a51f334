/**
 * The IAM evaluation report: commands x roles with allowed / denied counts, written to
 * test-results/iam/ (never committed) and summarised on stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Evaluation } from './evaluate';
import { repoRoot } from './recording';

export interface ReportCounts {
  requests: number;
  allowed: number;
  denied: number;
  commands: number;
  roles: number;
}

export function writeReport(evaluations: Evaluation[], extraLines: string[] = []): ReportCounts {
  const roles = [...new Set(evaluations.map((e) => e.request.role))].sort();
  const commands = [...new Set(evaluations.map((e) => e.request.command))].sort();
  const cell = new Map<string, { allowed: number; denied: number }>();
  for (const e of evaluations) {
    const k = `${e.request.command}\u0000${e.request.role}`;
    const c = cell.get(k) ?? { allowed: 0, denied: 0 };
    if (e.outcome === 'Allowed') c.allowed++;
    else c.denied++;
    cell.set(k, c);
  }
  const allowed = evaluations.filter((e) => e.outcome === 'Allowed').length;
  const counts = {
    requests: evaluations.length,
    allowed,
    denied: evaluations.length - allowed,
    commands: commands.length,
    roles: roles.length,
  };
  const lines = [
    '# IAM evaluation: recorded AWS requests x the synthesized policies of the role sending them',
    '',
    `${counts.requests} evaluated requests (IAM action x resource x role), ${counts.allowed} allowed, ${counts.denied} denied; ${counts.commands} commands, ${counts.roles} roles.`,
    '',
    'Cell: allowed/denied evaluations (an SDK command can need several IAM actions and resources, KMS included).',
    '',
    `| command | ${roles.join(' | ')} |`,
    `| --- | ${roles.map(() => '---').join(' | ')} |`,
    ...commands.map(
      (c) =>
        `| ${c} | ${roles
          .map((r) => {
            const x = cell.get(`${c}\u0000${r}`);
            return x ? `${x.allowed}/${x.denied}` : '';
          })
          .join(' | ')} |`,
    ),
    '',
    ...extraLines,
  ];
  const dir = join(repoRoot, 'test-results', 'iam');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'iam-evaluation.md'), `${lines.join('\n')}\n`);
  writeFileSync(
    join(dir, 'iam-evaluation.json'),
    `${JSON.stringify(
      evaluations.map((e) => ({
        role: e.request.role,
        principal: e.principal,
        command: e.request.command,
        action: e.request.action,
        resource: e.resource,
        outcome: e.outcome,
        detail: e.detail || undefined,
      })),
      null,
      2,
    )}\n`,
  );
  return counts;
}
