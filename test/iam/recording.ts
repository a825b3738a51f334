/**
 * The recorded AWS requests of the console's and the Lambdas' tests, kept in committed catalogs
 * (test/iam/recorded/<test file>.json) that the IAM evaluation (iam-evaluation.test.ts) reads, so
 * it never depends on which vitest project ran first. A test file's recorder checks at the end of
 * the file that every request it saw is in its catalog (a new one fails the file, naming it, until
 * `IAM_RECORD=update npx vitest run <file>` adds it; the evaluation then checks it against IAM).
 * A missing catalog is written on a local run (like a new snapshot) and fails in CI.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { iamRequestsOf, type IamRequest, type RequestEnv } from './aws-requests';

/**
 * Who sends a request: `operator-role:<console role>` (the console, as the caller's operator role),
 * `console-task` (the console's own credentials), `lambda:<function name suffix>`.
 */
export type Principal = string;

export interface RecordedRequest extends IamRequest {
  role: Principal;
}

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const catalogDir = fileURLToPath(new URL('./recorded/', import.meta.url));

export const requestKey = (r: RecordedRequest) =>
  [r.role, r.command, r.action, r.resource, JSON.stringify(r.context ?? {})].join(' | ');

function sorted(requests: Iterable<RecordedRequest>): RecordedRequest[] {
  const byKey = new Map<string, RecordedRequest>();
  for (const r of requests) byKey.set(requestKey(r), r);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/** Every committed catalog's requests, each with the catalog it came from. */
export function readCatalogs(): { source: string; request: RecordedRequest }[] {
  if (!existsSync(catalogDir)) return [];
  return readdirSync(catalogDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) =>
      (JSON.parse(readFileSync(join(catalogDir, f), 'utf8')) as RecordedRequest[]).map((request) => ({
        source: f,
        request,
      })),
    );
}

/** Records the requests of one test file (a test file gets its own module instance in vitest). */
export class RequestRecorder {
  private readonly seen = new Map<string, RecordedRequest>();
  private testFile: string | null = null;

  /** Records one SDK command sent as `role`. An unmapped command is recorded as such (the evaluation fails on it). */
  record(role: Principal, clientName: string, command: object, env: RequestEnv, testFile?: string): void {
    if (testFile) this.testFile ??= testFile;
    const service = clientName.replace(/DocumentClient$|Client$/, '');
    const input = ((command as { input?: unknown }).input ?? {}) as Record<string, unknown>;
    let requests: IamRequest[];
    try {
      requests = iamRequestsOf(service, command.constructor.name, input, env);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      requests = [{ command: `${service}:${command.constructor.name}`, action: 'unmapped', resource: why }];
    }
    for (const r of requests) {
      const rec = { role, ...r, context: { 'aws:RequestedRegion': env.region, ...r.context } };
      this.seen.set(requestKey(rec), rec);
    }
  }

  requests(): RecordedRequest[] {
    return sorted(this.seen.values());
  }

  /** Compares this file's requests with its catalog (see the module comment). Throws on a difference. */
  checkCatalog(): void {
    if (!this.testFile || this.seen.size === 0) return;
    const rel = relative(repoRoot, this.testFile);
    const file = join(catalogDir, `${rel.replace(/\.[cm]?tsx?$/, '').replace(/[\\/]/g, '.')}.json`);
    const write = () => {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(this.requests(), null, 2)}\n`);
    };
    if (process.env.IAM_RECORD === 'update') return write();
    if (!existsSync(file)) {
      if (process.env.CI) throw new Error(`no IAM request catalog ${relative(repoRoot, file)} for ${rel}`);
      return write();
    }
    const known = new Set((JSON.parse(readFileSync(file, 'utf8')) as RecordedRequest[]).map(requestKey));
    const missing = this.requests().filter((r) => !known.has(requestKey(r)));
    if (missing.length) {
      throw new Error(
        `${rel} sent AWS requests its IAM catalog ${relative(repoRoot, file)} does not list, so the IAM evaluation does not check them:\n` +
          missing.map((r) => `  ${requestKey(r)}`).join('\n') +
          `\nrun  IAM_RECORD=update npx vitest run ${rel}  (the whole file), then the IAM evaluation (test/iam).`,
      );
    }
  }
}
