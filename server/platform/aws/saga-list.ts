import 'server-only';
import type { ExecutionListItem, ExecutionStatus } from '@aws-sdk/client-sfn';
import { compensationExecutionName, isCompensationExecutionName, sagaIdFor } from '../../../infra/platform/layout';
import type { SagaStatus } from '../../../infra/saga/definition';
import type { ListSagasInput } from '../inputs.schema';
import type { Page, SagaSummary } from '../platform.schema';
import { PlatformError } from '../port';
import type { Ctx } from './clients';
import { describe, executionArnFor, listExecutions } from './saga-executions';
import { summarize, summaryItems, type ListedExecution } from './saga-summaries';

/**
 * listSagas on Step Functions. ListExecutions has no time filter and lists newest first:
 * `from`/`to` are applied while paging (the scan stops at the first execution older than `from`).
 * A newest-first cursor is `desc:<maxResults>:<nextToken>`: ListExecutions wants every argument
 * but the token unchanged along a chain, so its page size is the first page's `limit` and a cursor
 * is refused with another `limit`. Under COMPENSATING, COMPENSATED and FAILED, `--compensate`
 * executions stand for their sagas (withCompensationRuns). Oldest-first needs the whole range: it
 * is listed (ListExecutions only, ≤ MAX_ASC_SCAN executions, else Invalid asking for a narrower
 * `from`), reversed, and paged with an offset cursor (`asc:<offset>`).
 */
const MAX_SCAN_PAGES = 5;

/** A compensation-mode execution (`<sagaId>--compensate`) met in a listing: it stands for its saga. */
interface ListedCompensationRun {
  compensationRun: string;
}

/**
 * One execution of a ListExecutions page against the window [from, to) (epoch ms, null = open):
 * 'older' when it started before `from` (the caller stops, pages are newest first), null when it
 * is not listed (after `to`, unnamed, or a compensation-mode run when `withCompensationRuns` is
 * false: it belongs to its saga). A compensation-mode run starts after its saga, so 'older' holds
 * for its saga too; its saga's own start is checked against the window by `sagaOfCompensationRun`.
 */
function listedExecution(
  e: ExecutionListItem,
  from: number | null,
  to: number | null,
  withCompensationRuns: boolean,
): ListedExecution | ListedCompensationRun | 'older' | null {
  const started = e.startDate?.getTime() ?? 0;
  if (from !== null && started < from) return 'older';
  if (!e.name) return null;
  if (isCompensationExecutionName(e.name)) return withCompensationRuns ? { compensationRun: e.name } : null;
  if (to !== null && started >= to) return null;
  return {
    name: e.name,
    executionArn: e.executionArn ?? '',
    status: e.status,
    startDate: e.startDate,
    stopDate: e.stopDate,
  };
}

/**
 * The statuses an operator's compensation can give a saga whose own execution is in another
 * Step Functions status (a refunded saga's execution SUCCEEDED; an operator-compensated FAILED
 * one's execution FAILED while its compensation is RUNNING): listing them by the Step Functions
 * status alone would miss those sagas, so their `--compensate` executions are listed too (RUNNING
 * for COMPENSATING; FAILED for COMPENSATED and FAILED, as compensation mode always ends in a Fail
 * state: `Compensated`, or `CompensationFailed`) and each stands for its saga. Such a saga takes
 * the place of its compensation execution in the newest-first order of the listing (pages and
 * cursors stay those of ListExecutions: no saga twice, none skipped), so under these filters a
 * refunded saga can sit above sagas that started after it.
 */
function withCompensationRuns(status: SagaStatus | undefined): boolean {
  return status === 'COMPENSATING' || status === 'COMPENSATED' || status === 'FAILED';
}

/**
 * The saga a compensation-mode run met in a listing stands for, or null when the saga is listed
 * at its own execution's place in the same listing (its execution has the listed Step Functions
 * status: each saga is listed once), is gone, or started outside the window.
 */
async function sagaOfCompensationRun(
  ctx: Ctx,
  run: string,
  listedStatus: ExecutionStatus | undefined,
  from: number | null,
  to: number | null,
): Promise<ListedExecution | null> {
  const described = await describe(ctx, run);
  if (!described) return null;
  let sagaId: unknown;
  try {
    sagaId = (JSON.parse(described.input ?? '{}') as { sagaId?: unknown }).sagaId;
  } catch {
    sagaId = undefined;
  }
  if (typeof sagaId !== 'string' || compensationExecutionName(sagaId) !== run) {
    console.warn(
      JSON.stringify({ msg: 'saga list: a compensation execution does not name its saga; not listed', execution: run }),
    );
    return null;
  }
  const main = await describe(ctx, sagaId);
  if (!main || main.status === listedStatus) return null;
  const started = main.startDate?.getTime() ?? 0;
  if ((from !== null && started < from) || (to !== null && started >= to)) return null;
  return {
    name: sagaId,
    executionArn: main.executionArn ?? executionArnFor(ctx.config.stateMachineArn, sagaId),
    status: main.status,
    startDate: main.startDate,
    stopDate: main.stopDate,
  };
}

/** The sagas of listed executions, in listing order, each once (compensation runs resolved). */
async function sagasOfListed(
  ctx: Ctx,
  listed: (ListedExecution | ListedCompensationRun)[],
  listedStatus: ExecutionStatus | undefined,
  from: number | null,
  to: number | null,
): Promise<ListedExecution[]> {
  const resolved = await inBatches(listed, 5, async (e): Promise<ListedExecution | null> =>
    'compensationRun' in e ? sagaOfCompensationRun(ctx, e.compensationRun, listedStatus, from, to) : e,
  );
  const seen = new Set<string>();
  const out: ListedExecution[] = [];
  for (const e of resolved) {
    if (!e || seen.has(e.name)) continue;
    seen.add(e.name);
    out.push(e);
  }
  return out;
}

function awsStatusFilter(status: SagaStatus | undefined): ExecutionStatus | undefined {
  switch (status) {
    case 'RUNNING':
    case 'COMPENSATING':
      return 'RUNNING';
    case 'SUCCEEDED':
      return 'SUCCEEDED';
    case 'COMPENSATED':
    case 'FAILED':
      return 'FAILED';
    default:
      return undefined;
  }
}

async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

export async function listSagas(
  ctx: Ctx,
  input: ListSagasInput & { limit: number; sort: 'startedAt:desc' | 'startedAt:asc' },
): Promise<Page<SagaSummary>> {
  if (input.transactionId) {
    const name = sagaIdFor(input.transactionId);
    const d = await describe(ctx, name);
    if (!d) return { items: [], nextCursor: null };
    const summary = await summarize(
      ctx,
      {
        name,
        executionArn: d.executionArn ?? executionArnFor(ctx.config.stateMachineArn, name),
        status: d.status,
        startDate: d.startDate,
        stopDate: d.stopDate,
      },
      (await summaryItems(ctx, [name])).get(name),
    );
    const inWindow =
      (!input.from || Date.parse(summary.startedAt) >= Date.parse(input.from)) &&
      (!input.to || Date.parse(summary.startedAt) < Date.parse(input.to));
    return { items: (!input.status || summary.status === input.status) && inWindow ? [summary] : [], nextCursor: null };
  }
  const from = input.from ? Date.parse(input.from) : null;
  const to = input.to ? Date.parse(input.to) : null;
  if (input.sort === 'startedAt:asc') return listSagasAscending(ctx, input, from, to);
  // ListExecutions wants every argument but nextToken unchanged along a token chain, maxResults
  // included: it is the page limit, fixed by the chain's first page and carried in the cursor.
  const maxResults = Math.min(1000, input.limit);
  let token: string | undefined;
  if (input.cursor) {
    const cursor = parseDescCursor(input.cursor);
    if (cursor.maxResults !== maxResults) {
      throw new PlatformError(
        'Invalid',
        `cursor belongs to pages of ${cursor.maxResults} sagas: keep limit ${cursor.maxResults} or start again without a cursor`,
        'cursor',
      );
    }
    token = cursor.token;
  }
  const statusFilter = awsStatusFilter(input.status);
  const compensationRuns = withCompensationRuns(input.status);
  const items: SagaSummary[] = [];
  const seen = new Set<string>();
  let pages = 0;
  let exhausted = false;
  // Each execution gives at most one saga, so another page may be read only while it cannot
  // overflow this one: when nothing matched yet.
  while (items.length === 0 && pages < MAX_SCAN_PAGES) {
    pages++;
    const res = await listExecutions(ctx, statusFilter, maxResults, token);
    token = res.nextToken;
    const listed: (ListedExecution | ListedCompensationRun)[] = [];
    for (const e of res.executions ?? []) {
      const item = listedExecution(e, from, to, compensationRuns);
      if (item === 'older') {
        exhausted = true; // newest first: everything after this is older still
        break;
      }
      if (item) listed.push(item);
    }
    const sagas = (await sagasOfListed(ctx, listed, statusFilter, from, to)).filter((e) => !seen.has(e.name));
    for (const e of sagas) seen.add(e.name);
    const table = await summaryItems(
      ctx,
      sagas.map((e) => e.name),
    );
    const summaries = await inBatches(sagas, 5, (e) => summarize(ctx, e, table.get(e.name)));
    items.push(...summaries.filter((s) => !input.status || s.status === input.status));
    if (exhausted || !token) break;
  }
  return { items, nextCursor: exhausted || !token ? null : descCursor(maxResults, token) };
}

/** Newest-first cursor: the ListExecutions page size of the chain and its nextToken. */
function descCursor(maxResults: number, token: string): string {
  return `desc:${maxResults}:${token}`;
}

function parseDescCursor(cursor: string): { maxResults: number; token: string } {
  const m = /^desc:(\d{1,4}):(.+)$/s.exec(cursor);
  const maxResults = Number(m?.[1]);
  if (!m?.[2] || !(maxResults >= 1 && maxResults <= 1000))
    throw new PlatformError('Invalid', 'cursor is not a newest-first saga cursor', 'cursor');
  return { maxResults, token: m[2] };
}

/** Executions listed for an oldest-first page: beyond this the range must be narrowed. */
export const MAX_ASC_SCAN = 5_000;

async function listSagasAscending(
  ctx: Ctx,
  input: ListSagasInput & { limit: number },
  from: number | null,
  to: number | null,
): Promise<Page<SagaSummary>> {
  let offset = 0;
  if (input.cursor) {
    const m = /^asc:(\d{1,7})$/.exec(input.cursor);
    if (!m) throw new PlatformError('Invalid', 'cursor is not an oldest-first saga cursor', 'cursor');
    offset = Number(m[1]);
  }
  const listed: (ListedExecution | ListedCompensationRun)[] = [];
  const statusFilter = awsStatusFilter(input.status);
  const compensationRuns = withCompensationRuns(input.status);
  let token: string | undefined;
  let scanned = 0;
  let reachedFrom = false;
  do {
    const res = await listExecutions(ctx, statusFilter, 1000, token);
    token = res.nextToken;
    for (const e of res.executions ?? []) {
      scanned++;
      const item = listedExecution(e, from, to, compensationRuns);
      if (item === 'older') {
        reachedFrom = true;
        break;
      }
      if (item) listed.push(item);
    }
    if (scanned >= MAX_ASC_SCAN && token && !reachedFrom) {
      throw new PlatformError(
        'Invalid',
        `more than ${MAX_ASC_SCAN} executions to sort oldest first: set a later \`from\` (Step Functions lists newest first only)`,
        'from',
      );
    }
  } while (token && !reachedFrom);
  listed.reverse();
  const slice = await sagasOfListed(ctx, listed.slice(offset, offset + input.limit), statusFilter, from, to);
  const table = await summaryItems(
    ctx,
    slice.map((e) => e.name),
  );
  const summaries = await inBatches(slice, 5, (e) => summarize(ctx, e, table.get(e.name)));
  const next = offset + input.limit;
  return {
    items: summaries.filter((x) => !input.status || x.status === input.status),
    nextCursor: next < listed.length ? `asc:${next}` : null,
  };
}
