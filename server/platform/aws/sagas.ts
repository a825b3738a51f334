import 'server-only';
import { createHash } from 'node:crypto';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  StartExecutionCommand,
  type DescribeExecutionOutput,
  type ExecutionListItem,
  type ExecutionStatus,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import {
  compensationExecutionName,
  isCompensationExecutionName,
  SAGA_SUMMARY_SK,
  sagaIdFor,
  type CompensationExecutionInput,
} from '../../../infra/platform/layout';
import { EXECUTION_REDRIVE_WINDOW_MS } from '../../../infra/platform/limits';
import {
  COMPENSATED_STATE,
  COMPENSATION_STATE_PREFIX,
  compensationNames,
  compensationsFor,
  gateStateName,
  PREPARE_COMPENSATION_STATE,
  SAGA_COMPENSATED_ERROR,
  sagaDefinition,
  stepNames,
  type CompensationName,
  type SagaStatus,
  type StepName,
} from '../../../infra/saga/definition';
import type { CompensateInput, ListSagasInput } from '../inputs.schema';
import {
  compensationPreviewSchema,
  sagaDetailSchema,
  sagaStatusSchema,
  sagaSummarySchema,
  type CompensationPreview,
  type Page,
  type SagaDetail,
  type SagaStepRecord,
  type SagaSummary,
} from '../platform.schema';
import { PlatformError } from '../port';
import { iso, type Ctx } from './clients';
import { call, isNotFound, readAfterAcceptedWrite, withAwsDetail } from './errors';

/**
 * Sagas on Step Functions (Standard). One execution per saga, named by the saga id
 * (= sagaIdFor(transactionId)); its input is `{ sagaId, transaction }`. State names come from
 * infra/saga/definition.ts: steps by name, compensations as `compensationStateName(<Name>)`;
 * a saga that compensated ends in the Fail state with error `SAGA_COMPENSATED_ERROR`, one whose
 * compensation failed with `SagaCompensationFailed`.
 * - ListExecutions has no time filter and lists newest first: `from`/`to` are applied while
 *   paging (the scan stops at the first execution older than `from`). A newest-first cursor is
 *   `desc:<maxResults>:<nextToken>`: ListExecutions wants every argument but the token unchanged
 *   along a chain, so its page size is the first page's `limit` and a cursor is refused with
 *   another `limit`. Under COMPENSATING, COMPENSATED and FAILED, `--compensate` executions stand
 *   for their sagas (withCompensationRuns). Oldest-first needs the whole
 *   range: it is listed (ListExecutions only, ≤ MAX_ASC_SCAN executions, else Invalid asking for a
 *   narrower `from`), reversed, and paged with an offset cursor (`asc:<offset>`).
 * - compensate (a FAILED saga, or a SUCCEEDED one being refunded): StartExecution of the same
 *   state machine in compensation mode, named
 *   `<sagaId>--compensate`, so a retried request cannot start a second one (the name is unique;
 *   ExecutionAlreadyExists with our own input is the same request, done). Once Step Functions
 *   accepted a compensation or redrive, the call answers without throwing (afterMutation).
 * - resume: RedriveExecution (Standard workflows, within 14 days of the stop), with a client
 *   token derived from the saga id and its redrive count (one redrive per request, retried safely).
 */
const REDRIVE_WINDOW_MS = EXECUTION_REDRIVE_WINDOW_MS;
const MAX_SCAN_PAGES = 5;

export function executionArnFor(stateMachineArn: string, name: string): string {
  const parts = stateMachineArn.split(':');
  if (parts[5] !== 'stateMachine' || parts.length < 7)
    throw new PlatformError('Invalid', `not a state machine ARN: ${stateMachineArn}`);
  return [...parts.slice(0, 5), 'execution', parts[6], name].join(':');
}

// ---------------------------------------------------------------- history -> step records

interface Rec extends SagaStepRecord {
  lastAttempt: 'ok' | 'failed' | null;
  taskOutput: string | null;
}

export interface ParsedHistory {
  records: Rec[];
  /** The task that was running when the history ends (null if none). */
  current: Rec | null;
}

function taskOf(stateName: string): { name: string; kind: 'step' | 'compensation' } | null {
  if ((stepNames as readonly string[]).includes(stateName)) return { name: stateName, kind: 'step' };
  if (stateName.startsWith(COMPENSATION_STATE_PREFIX)) {
    const c = stateName.slice(COMPENSATION_STATE_PREFIX.length);
    if ((compensationNames as readonly string[]).includes(c)) return { name: c, kind: 'compensation' };
  }
  return null;
}

/**
 * True when `stateName` belongs to the compensation chain: the entry of a compensation-mode run,
 * a compensation task, a gate in front of one (`If<Step>Completed`) or the final Fail state. (A
 * prefix test is not enough: the Fail state `Compensated` also starts with `Compensate`, and the
 * gates do not.)
 */
export function isCompensationState(stateName: string | null | undefined): boolean {
  if (!stateName) return false;
  if (stateName === COMPENSATED_STATE || stateName === PREPARE_COMPENSATION_STATE) return true;
  if (taskOf(stateName)?.kind === 'compensation') return true;
  return stepNames.some((step) => gateStateName(step) === stateName);
}

/** The timeline record of a step or compensation that has not run (yet). */
function notRun(name: string, kind: SagaStepRecord['kind'], state: 'PENDING' | 'SKIPPED'): SagaStepRecord {
  return { name, kind, state, attempts: 0, startedAt: null, endedAt: null, input: null, output: null, error: null };
}

function errorText(d: { error?: string; cause?: string } | undefined): string {
  if (!d) return 'failed';
  return [d.error, d.cause].filter(Boolean).join(': ') || 'failed';
}

/** Maps an execution history (oldest first) to step/compensation records. */
export function parseHistory(events: HistoryEvent[]): ParsedHistory {
  const records = new Map<string, Rec>();
  let current: Rec | null = null;
  const close = (at: Date | undefined, failed: boolean) => {
    if (!current) return;
    current.state = failed || current.lastAttempt === 'failed' ? 'FAILED' : 'SUCCEEDED';
    current.endedAt = at ? iso(at) : current.endedAt;
    if (current.state === 'SUCCEEDED') current.error = null;
    current = null;
  };
  for (const e of events) {
    const type = e.type ?? '';
    if (type.endsWith('StateEntered')) {
      close(e.timestamp, false);
      const task = taskOf(e.stateEnteredEventDetails?.name ?? '');
      if (!task) continue;
      const key = `${task.kind}:${task.name}`;
      const rec: Rec = records.get(key) ?? {
        name: task.name,
        kind: task.kind,
        state: 'RUNNING',
        attempts: 0,
        startedAt: e.timestamp ? iso(e.timestamp) : null,
        endedAt: null,
        input: e.stateEnteredEventDetails?.input ?? null,
        output: null,
        error: null,
        lastAttempt: null,
        taskOutput: null,
      };
      rec.state = 'RUNNING';
      rec.endedAt = null;
      records.delete(key);
      records.set(key, rec); // re-entered (redrive): keep its place at the end of the execution order
      current = rec;
      continue;
    }
    const rec: Rec | null = current;
    switch (type) {
      case 'LambdaFunctionScheduled':
      case 'TaskScheduled':
        if (rec) rec.attempts++;
        break;
      case 'LambdaFunctionSucceeded':
        if (rec) {
          rec.lastAttempt = 'ok';
          rec.taskOutput = e.lambdaFunctionSucceededEventDetails?.output ?? null;
        }
        break;
      case 'TaskSucceeded':
        if (rec) {
          rec.lastAttempt = 'ok';
          rec.taskOutput = e.taskSucceededEventDetails?.output ?? null;
        }
        break;
      case 'LambdaFunctionFailed':
      case 'LambdaFunctionTimedOut':
      case 'LambdaFunctionStartFailed':
      case 'LambdaFunctionScheduleFailed':
      case 'TaskFailed':
      case 'TaskTimedOut':
      case 'TaskStartFailed':
      case 'TaskSubmitFailed':
        if (rec) {
          rec.lastAttempt = 'failed';
          rec.error = errorText(
            e.lambdaFunctionFailedEventDetails ??
              e.lambdaFunctionTimedOutEventDetails ??
              e.lambdaFunctionStartFailedEventDetails ??
              e.lambdaFunctionScheduleFailedEventDetails ??
              e.taskFailedEventDetails ??
              e.taskTimedOutEventDetails ??
              e.taskStartFailedEventDetails ??
              e.taskSubmitFailedEventDetails,
          );
        }
        break;
      case 'TaskStateExited':
        if (rec) {
          rec.output = rec.taskOutput ?? e.stateExitedEventDetails?.output ?? null;
          close(e.timestamp, false);
        }
        break;
      case 'ExecutionFailed':
      case 'ExecutionAborted':
      case 'ExecutionTimedOut':
        close(e.timestamp, true);
        break;
      case 'ExecutionSucceeded':
        close(e.timestamp, false);
        break;
      default:
        break;
    }
  }
  for (const r of records.values()) if (r.state !== 'RUNNING' && r.output === null) r.output = r.taskOutput;
  return { records: [...records.values()], current };
}

// ---------------------------------------------------------------- executions

interface Transactionish {
  transactionId?: string;
  fromAccount?: string;
  toAccount?: string;
  amount?: number;
  currency?: string;
}

function inputOf(d: DescribeExecutionOutput): { transaction: Transactionish; raw: unknown } {
  try {
    const raw = JSON.parse(d.input ?? '{}') as { transaction?: Transactionish };
    return { transaction: raw.transaction ?? {}, raw };
  } catch {
    return { transaction: {}, raw: null };
  }
}

async function describe(ctx: Ctx, name: string): Promise<DescribeExecutionOutput | null> {
  try {
    return await call(`DescribeExecution ${name}`, () =>
      ctx.aws.sfn.send(
        new DescribeExecutionCommand({ executionArn: executionArnFor(ctx.config.stateMachineArn, name) }),
      ),
    );
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

async function history(ctx: Ctx, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let token: string | undefined;
  do {
    const res = await call('GetExecutionHistory', () =>
      ctx.aws.sfn.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 1000,
          nextToken: token,
          includeExecutionData: true,
        }),
      ),
    );
    events.push(...(res.events ?? []));
    token = res.nextToken;
  } while (token);
  return events;
}

/** Name of the newest entered state (a short reverse history read): tells RUNNING from COMPENSATING. */
async function latestState(ctx: Ctx, executionArn: string): Promise<string | null> {
  const res = await call('GetExecutionHistory', () =>
    ctx.aws.sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 20, reverseOrder: true, includeExecutionData: false }),
    ),
  );
  return res.events?.find((e) => e.type?.endsWith('StateEntered'))?.stateEnteredEventDetails?.name ?? null;
}

function statusOf(status: ExecutionStatus | undefined, error: string | undefined, compensating: boolean): SagaStatus {
  switch (status) {
    case 'RUNNING':
    case 'PENDING_REDRIVE':
      return compensating ? 'COMPENSATING' : 'RUNNING';
    case 'SUCCEEDED':
      return 'SUCCEEDED';
    case 'FAILED':
      return error === SAGA_COMPENSATED_ERROR ? 'COMPENSATED' : 'FAILED';
    default:
      return 'FAILED'; // TIMED_OUT, ABORTED
  }
}

/** The status once a compensation-mode execution exists: it decides. */
function statusWithCompensation(base: SagaStatus, comp: DescribeExecutionOutput | null): SagaStatus {
  if (!comp) return base;
  if (comp.status === 'RUNNING' || comp.status === 'PENDING_REDRIVE') return 'COMPENSATING';
  if (comp.status === 'SUCCEEDED' || (comp.status === 'FAILED' && comp.error === SAGA_COMPENSATED_ERROR))
    return 'COMPENSATED';
  return 'FAILED';
}

interface SummaryItem {
  sagaId?: string;
  transactionId?: string;
  status?: string;
  amount?: number;
  currency?: string;
  startedAt?: string;
  endedAt?: string | null;
  failedStep?: string | null;
  error?: string | null;
}

async function summaryItems(ctx: Ctx, sagaIds: string[]): Promise<Map<string, SummaryItem>> {
  const table = ctx.config.sagaTable;
  const out = new Map<string, SummaryItem>();
  if (!table || sagaIds.length === 0) return out;
  for (let i = 0; i < sagaIds.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = sagaIds
      .slice(i, i + 100)
      .map((sagaId) => ({ sagaId, sk: SAGA_SUMMARY_SK }));
    for (let attempt = 0; keys?.length && attempt < 4; attempt++) {
      const request: Record<string, unknown>[] = keys;
      const res = await call(`BatchGetItem ${table}`, () =>
        ctx.aws.dynamodb.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: request } } })),
      );
      for (const item of (res.Responses?.[table] ?? []) as SummaryItem[]) if (item.sagaId) out.set(item.sagaId, item);
      keys = res.UnprocessedKeys?.[table]?.Keys;
      if (keys?.length) await ctx.sleep(100 * 2 ** attempt);
    }
    // Items still unprocessed are simply summarised from Step Functions instead.
  }
  return out;
}

interface ListedExecution {
  name: string;
  executionArn: string;
  status: ExecutionStatus | undefined;
  startDate: Date | undefined;
  stopDate: Date | undefined;
}

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

async function summarize(ctx: Ctx, e: ListedExecution, item: SummaryItem | undefined): Promise<SagaSummary> {
  const base = {
    id: e.name,
    region: ctx.config.region,
    startedAt: iso(e.startDate ?? ctx.now()),
    endedAt: e.stopDate ? iso(e.stopDate) : null,
  };
  const fromItem =
    item &&
    sagaStatusSchema.safeParse(item.status).success &&
    typeof item.amount === 'number' &&
    typeof item.currency === 'string';
  if (item && fromItem) {
    return sagaSummarySchema.parse({
      ...base,
      transactionId: item.transactionId ?? e.name,
      status: item.status,
      failedStep: item.failedStep ?? null,
      error: item.error ?? null,
      amount: item.amount,
      currency: item.currency,
      endedAt: item.endedAt ?? base.endedAt,
    });
  }
  const d = await describe(ctx, e.name);
  if (!d) throw new PlatformError('NotFound', `execution ${e.name} disappeared while listing`);
  const { transaction } = inputOf(d);
  let compensating = false;
  if (d.status === 'RUNNING' || d.status === 'PENDING_REDRIVE') {
    compensating = isCompensationState(await latestState(ctx, e.executionArn));
  }
  let status = statusOf(d.status, d.error, compensating);
  // A refunded (SUCCEEDED) or operator-compensated (FAILED) saga: its compensation run decides.
  if (status === 'SUCCEEDED' || status === 'FAILED')
    status = statusWithCompensation(status, await describe(ctx, compensationExecutionName(e.name)));
  return sagaSummarySchema.parse({
    ...base,
    transactionId: transaction.transactionId ?? e.name,
    status,
    failedStep: null, // from the execution history: getSaga
    error: status === 'FAILED' || status === 'COMPENSATED' ? errorText({ error: d.error, cause: d.cause }) : null,
    amount: Number.isInteger(transaction.amount) ? transaction.amount : 0,
    currency: transaction.currency ?? 'XXX',
  });
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
    const res = await call('ListExecutions', () =>
      ctx.aws.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: ctx.config.stateMachineArn,
          statusFilter,
          maxResults,
          nextToken: token,
        }),
      ),
    );
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
    const res = await call('ListExecutions', () =>
      ctx.aws.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: ctx.config.stateMachineArn,
          statusFilter,
          maxResults: 1000,
          nextToken: token,
        }),
      ),
    );
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

// ---------------------------------------------------------------- one saga

interface Loaded {
  detail: SagaDetail;
  execution: DescribeExecutionOutput;
  compensation: DescribeExecutionOutput | null;
  transaction: Transactionish;
  records: Rec[];
}

function failedStepOf(records: Rec[]): StepName | null {
  const failed = records.filter((r) => r.kind === 'step' && r.state === 'FAILED').pop();
  return (failed?.name as StepName | undefined) ?? null;
}

async function load(ctx: Ctx, id: string): Promise<Loaded | null> {
  // Not a possible execution name (e.g. a raw transaction id with ':'): no such saga.
  if (id !== sagaIdFor(id)) return null;
  const execution = await describe(ctx, id);
  if (!execution) return null;
  const arn = execution.executionArn ?? executionArnFor(ctx.config.stateMachineArn, id);
  const [events, compensation] = await Promise.all([history(ctx, arn), describe(ctx, compensationExecutionName(id))]);
  const main = parseHistory(events);
  const comp = compensation?.executionArn ? parseHistory(await history(ctx, compensation.executionArn)) : null;
  const { transaction } = inputOf(execution);
  const compensating = main.current?.kind === 'compensation';
  let status = statusOf(execution.status, execution.error, compensating);
  if (status === 'SUCCEEDED' || status === 'FAILED') status = statusWithCompensation(status, compensation);
  const failedStep = failedStepOf(main.records);
  const ended = status !== 'RUNNING' && status !== 'COMPENSATING';

  const stepRecords: SagaStepRecord[] = sagaDefinition.steps.map((s) => {
    const r = main.records.find((x) => x.kind === 'step' && x.name === s.name);
    return r ?? notRun(s.name, 'step', status === 'RUNNING' ? 'PENDING' : 'SKIPPED');
  });
  const compRecords: Rec[] = [...main.records.filter((r) => r.kind === 'compensation')];
  for (const r of comp?.records.filter((x) => x.kind === 'compensation') ?? []) {
    const i = compRecords.findIndex((x) => x.name === r.name);
    if (i >= 0) compRecords.splice(i, 1); // the compensation-mode run supersedes a failed first attempt
    compRecords.push(r);
  }
  const pending: SagaStepRecord[] =
    status === 'COMPENSATING' && failedStep
      ? compensationsFor(failedStep)
          .filter((c) => !compRecords.some((r) => r.name === c))
          .map((c) => notRun(c, 'compensation', 'PENDING'))
      : [];
  const strip = ({ lastAttempt: _l, taskOutput: _t, ...r }: Rec | (SagaStepRecord & Partial<Rec>)): SagaStepRecord => r;
  const lastError =
    [...main.records, ...(comp?.records ?? [])].filter((r) => r.state === 'FAILED' && r.error).pop()?.error ?? null;
  const endSource = compensation && ended ? compensation : execution;
  const detail = sagaDetailSchema.parse({
    id,
    transactionId: transaction.transactionId ?? id,
    region: ctx.config.region,
    status,
    startedAt: iso(execution.startDate ?? ctx.now()),
    endedAt: ended && endSource.stopDate ? iso(endSource.stopDate) : null,
    failedStep,
    error:
      status === 'SUCCEEDED' || status === 'RUNNING'
        ? null
        : (lastError ?? (execution.error ? errorText({ error: execution.error, cause: execution.cause }) : null)),
    amount: Number.isInteger(transaction.amount) ? transaction.amount : 0,
    currency: transaction.currency ?? 'XXX',
    steps: [...stepRecords.map(strip), ...compRecords.map(strip), ...pending],
  });
  return { detail, execution, compensation, transaction, records: [...main.records, ...(comp?.records ?? [])] };
}

export async function getSaga(ctx: Ctx, id: string): Promise<SagaDetail | null> {
  return (await load(ctx, id))?.detail ?? null;
}

// ---------------------------------------------------------------- compensation

const descriptions: Record<CompensationName, (t: Transactionish) => { description: string; account: string | null }> = {
  ReleaseFunds: (t) => ({
    description:
      `Release the hold of ${t.amount ?? '?'} ${t.currency ?? ''} on ${t.fromAccount ?? 'the source account'}`.trim(),
    account: t.fromAccount ?? null,
  }),
  ReverseLedger: (t) => ({
    description: `Reverse the journal entry ${t.fromAccount ?? '?'} -> ${t.toAccount ?? '?'}`,
    account: t.fromAccount ?? null,
  }),
  VoidSettlement: (t) => ({
    description: `Void the settlement with the payment network for ${t.toAccount ?? 'the destination account'}`,
    account: t.toAccount ?? null,
  }),
};

/** Whether step `name` ran at all (succeeded, failed, or was cut off running): its effect may exist. */
function ran(records: readonly SagaStepRecord[], name: string): boolean {
  return records.some((r) => r.kind === 'step' && r.name === name && r.state !== 'PENDING' && r.state !== 'SKIPPED');
}

function plan(ctx: Ctx, loaded: Loaded, mode: 'compensate' | 'resume'): CompensationPreview {
  const { detail, execution, transaction, records } = loaded;
  const amount = Number.isInteger(transaction.amount) ? (transaction.amount as number) : 0;
  if (detail.status === 'RUNNING' || detail.status === 'COMPENSATING') {
    throw new PlatformError('Conflict', `saga ${detail.id} is ${detail.status}: wait for it to stop`);
  }
  if (detail.status === 'COMPENSATED') throw new PlatformError('Conflict', `saga ${detail.id} is already COMPENSATED`);
  if (detail.status === 'SUCCEEDED' && mode === 'resume')
    throw new PlatformError('Conflict', `saga ${detail.id} SUCCEEDED: there is nothing to resume`);
  const done = (kind: 'step' | 'compensation', name: string) =>
    records.some((r) => r.kind === kind && r.name === name && r.state === 'SUCCEEDED');
  if (mode === 'compensate') {
    if (loaded.compensation)
      throw new PlatformError(
        'Conflict',
        `a compensation of saga ${detail.id} was already started (${loaded.compensation.status ?? 'unknown'}); resume it instead`,
      );
    // Every step that ran, finished or not (its write may have landed), as compensationsFor does.
    const actions = sagaDefinition.steps
      .filter((s) => s.compensation !== null && ran(records, s.name) && !done('compensation', s.compensation))
      .map((s) => s.compensation as CompensationName)
      .reverse()
      .map((c) => ({ compensation: c, ...descriptions[c](transaction), amount }));
    return compensationPreviewSchema.parse({ sagaId: detail.id, mode, actions });
  }
  // resume: RedriveExecution re-runs the failed state and what follows it.
  const target = loaded.compensation ?? execution;
  const stopped = target.stopDate?.getTime() ?? 0;
  if (ctx.now() - stopped > REDRIVE_WINDOW_MS) {
    throw new PlatformError(
      'Conflict',
      `saga ${detail.id} stopped at ${iso(stopped)}: Step Functions redrives executions only within 14 days; compensate it instead`,
    );
  }
  const failedStep = detail.failedStep as StepName | null;
  const failedCompensation = records.some((r) => r.kind === 'compensation' && r.state === 'FAILED');
  const actions =
    failedCompensation && failedStep
      ? compensationsFor(failedStep)
          .filter((c) => !done('compensation', c))
          .map((c) => ({ compensation: c, ...descriptions[c](transaction), amount }))
      : sagaDefinition.steps
          .filter((s) => !done('step', s.name))
          .map((s) => ({
            compensation: s.name,
            description: `Re-run ${s.name}: ${s.description}`,
            account: null,
            amount,
          }));
  return compensationPreviewSchema.parse({ sagaId: detail.id, mode, actions });
}

export async function previewCompensation(
  ctx: Ctx,
  input: { sagaId: string; mode?: 'compensate' | 'resume' },
): Promise<CompensationPreview> {
  const loaded = await load(ctx, input.sagaId);
  if (!loaded) throw new PlatformError('NotFound', `no saga ${input.sagaId}`, 'sagaId');
  return plan(ctx, loaded, input.mode ?? 'compensate');
}

export async function compensate(ctx: Ctx, input: CompensateInput): Promise<SagaDetail> {
  const loaded = await load(ctx, input.sagaId);
  if (!loaded) throw new PlatformError('NotFound', `no saga ${input.sagaId}`, 'sagaId');
  // Validates the saga's state for this mode (throws Conflict otherwise).
  plan(ctx, loaded, input.mode);
  if (input.mode === 'resume') {
    const target = loaded.compensation ?? loaded.execution;
    const arn = target.executionArn;
    if (!arn) throw new PlatformError('Unavailable', `execution of saga ${input.sagaId} has no ARN`);
    const clientToken = createHash('sha256')
      .update(`${arn}#${target.redriveCount ?? 0}`)
      .digest('hex')
      .slice(0, 64);
    await call(`RedriveExecution ${input.sagaId}`, () =>
      ctx.aws.sfn.send(new RedriveExecutionCommand({ executionArn: arn, clientToken })),
    );
  } else {
    // The compensation-mode run compensates the steps present in `results` (its gates): the ones
    // that succeeded with their output, and those that ran without finishing, whose write may
    // have landed (as compensationsFor has a failed step's own compensation run).
    const results: Record<string, unknown> = {};
    for (const r of loaded.records) {
      if (r.kind !== 'step') continue;
      if (r.state === 'SUCCEEDED' && r.output) {
        try {
          results[r.name] = JSON.parse(r.output) as unknown;
        } catch {
          results[r.name] = r.output;
        }
      } else if (ran(loaded.records, r.name)) results[r.name] = { ran: true, state: r.state };
    }
    const body: CompensationExecutionInput = {
      mode: 'compensate',
      sagaId: input.sagaId,
      transactionId: loaded.detail.transactionId,
      transaction: (inputOf(loaded.execution).raw as { transaction?: unknown } | null)?.transaction ?? null,
      results,
      reason: input.reason,
      requestedBy: ctx.caller.id,
    };
    await startCompensationExecution(ctx, input.sagaId, JSON.stringify(body));
  }
  return afterMutation(ctx, loaded, input.mode);
}

/**
 * StartExecution of the compensation-mode run. Standard workflows are idempotent by name AND
 * input only while the execution runs; once it stopped, or when the input differs, Step Functions
 * answers ExecutionAlreadyExists. An existing `<sagaId>--compensate` execution with exactly our
 * input is this same request, already done (a retry, or a double submission that raced past
 * `plan`): success. With another input it is another request: Conflict.
 */
async function startCompensationExecution(ctx: Ctx, sagaId: string, input: string): Promise<void> {
  const name = compensationExecutionName(sagaId);
  try {
    await call(`StartExecution ${name}`, () =>
      ctx.aws.sfn.send(new StartExecutionCommand({ stateMachineArn: ctx.config.stateMachineArn, name, input })),
    );
  } catch (error) {
    const alreadyExists =
      error instanceof PlatformError &&
      error.code === 'Conflict' &&
      error.cause instanceof Error &&
      error.cause.name === 'ExecutionAlreadyExists';
    if (!alreadyExists) throw error;
    const existing = await describe(ctx, name);
    if (existing?.input === input) return;
    throw withAwsDetail(
      new PlatformError(
        'Conflict',
        `a compensation of saga ${sagaId} was already started by another request (${existing?.status ?? 'unknown'}); reload the saga`,
      ),
      `StartExecution ${name}`,
      error,
    );
  }
}

/**
 * The saga after a compensation or redrive that Step Functions ACCEPTED. The mutation happened, so
 * this never throws: a failed re-read (throttling, …) must not make the caller audit it as failed
 * and retry into a Conflict. Then the saga is returned as known before the call, in the status the
 * mutation put it in (the next read shows the rest); the read error goes to the server log.
 */
async function afterMutation(ctx: Ctx, before: Loaded, mode: CompensateInput['mode']): Promise<SagaDetail> {
  return readAfterAcceptedWrite(
    `the ${mode} of saga ${before.detail.id}`,
    async () => (await load(ctx, before.detail.id))?.detail,
    () => {
      const compensating =
        mode === 'compensate' || before.records.some((r) => r.kind === 'compensation' && r.state === 'FAILED');
      return sagaDetailSchema.parse({
        ...before.detail,
        status: compensating ? 'COMPENSATING' : 'RUNNING',
        endedAt: null,
      });
    },
  );
}
