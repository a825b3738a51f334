import 'server-only';
import { GetExecutionHistoryCommand, type ExecutionStatus } from '@aws-sdk/client-sfn';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { compensationExecutionName, SAGA_SUMMARY_SK } from '../../../infra/platform/layout';
import { sagaStatusSchema, sagaSummarySchema, type SagaSummary } from '../platform.schema';
import { PlatformError } from '../port';
import { iso, type Ctx } from './clients';
import { call } from './errors';
import { describe } from './saga-executions';
import { errorText, isCompensationState } from './saga-history';
import { inputOf, statusOf, statusWithCompensation } from './saga-timeline';

/**
 * The summary of a listed saga: from its summary item in the saga table when there is a complete
 * one, else from Step Functions (its execution, and its compensation-mode run when that decides).
 */

export interface SummaryItem {
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

export async function summaryItems(ctx: Ctx, sagaIds: string[]): Promise<Map<string, SummaryItem>> {
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

/** Pages of reverse history read at most to find the newest entered state (100 events each). */
const MAX_REVERSE_PAGES = 20;

/**
 * Name of the newest state the execution entered: reads the history newest first until a
 * `*StateEntered` event. A task's retries add events but no entered state (a compensation retried
 * 20 times is 60 events), so one short page is not enough to tell COMPENSATING from RUNNING.
 */
export async function newestEnteredState(ctx: Ctx, executionArn: string): Promise<string | null> {
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_REVERSE_PAGES; page++) {
    const res = await call('GetExecutionHistory', () =>
      ctx.aws.sfn.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 100,
          reverseOrder: true,
          includeExecutionData: false,
          nextToken,
        }),
      ),
    );
    const entered = res.events?.find((e) => e.type?.endsWith('StateEntered'));
    if (entered) return entered.stateEnteredEventDetails?.name ?? null;
    nextToken = res.nextToken;
    if (!nextToken) return null;
  }
  return null;
}

export interface ListedExecution {
  name: string;
  executionArn: string;
  status: ExecutionStatus | undefined;
  startDate: Date | undefined;
  stopDate: Date | undefined;
}

export async function summarize(ctx: Ctx, e: ListedExecution, item: SummaryItem | undefined): Promise<SagaSummary> {
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
    compensating = isCompensationState(await newestEnteredState(ctx, e.executionArn));
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
