import 'server-only';
import type { DescribeExecutionOutput, ExecutionStatus } from '@aws-sdk/client-sfn';
import {
  compensationsFor,
  SAGA_COMPENSATED_ERROR,
  sagaDefinition,
  type SagaStatus,
  type StepName,
} from '../../../infra/saga/definition';
import { sagaDetailSchema, type SagaDetail, type SagaStepRecord } from '../platform.schema';
import { iso, type Ctx } from './clients';
import { errorText, type HistoryRecord, type ParsedHistory } from './saga-history';

/**
 * A saga's status and timeline from its execution, its compensation-mode execution (if any) and
 * their parsed histories: a saga that compensated ends in the Fail state with error
 * `SAGA_COMPENSATED_ERROR`, one whose compensation failed with `SagaCompensationFailed`. Pure: no
 * AWS calls.
 */

export interface Transactionish {
  transactionId?: string;
  fromAccount?: string;
  toAccount?: string;
  amount?: number;
  currency?: string;
}

export function inputOf(d: DescribeExecutionOutput): { transaction: Transactionish; raw: unknown } {
  try {
    const raw = JSON.parse(d.input ?? '{}') as { transaction?: Transactionish };
    return { transaction: raw.transaction ?? {}, raw };
  } catch {
    return { transaction: {}, raw: null };
  }
}

export function statusOf(
  status: ExecutionStatus | undefined,
  error: string | undefined,
  compensating: boolean,
): SagaStatus {
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
export function statusWithCompensation(base: SagaStatus, comp: DescribeExecutionOutput | null): SagaStatus {
  if (!comp) return base;
  if (comp.status === 'RUNNING' || comp.status === 'PENDING_REDRIVE') return 'COMPENSATING';
  if (comp.status === 'SUCCEEDED' || (comp.status === 'FAILED' && comp.error === SAGA_COMPENSATED_ERROR))
    return 'COMPENSATED';
  return 'FAILED';
}

/** The timeline record of a step or compensation that has not run (yet). */
function notRun(name: string, kind: SagaStepRecord['kind'], state: 'PENDING' | 'SKIPPED'): SagaStepRecord {
  return { name, kind, state, attempts: 0, startedAt: null, endedAt: null, input: null, output: null, error: null };
}

/** One record of a compensation that ran in both the first run and the compensation-mode run. */
function bothRuns(first: HistoryRecord, second: HistoryRecord): HistoryRecord {
  const earlier = first.attemptsDetail ?? [];
  return {
    ...second,
    attempts: first.attempts + second.attempts,
    startedAt: first.startedAt ?? second.startedAt,
    error: second.error ?? first.error,
    attemptsDetail: [...earlier, ...(second.attemptsDetail ?? []).map((a, i) => ({ ...a, n: earlier.length + i + 1 }))],
  };
}

/** A saga as read for getSaga, previewCompensation and compensate. */
export interface LoadedSaga {
  detail: SagaDetail;
  execution: DescribeExecutionOutput;
  compensation: DescribeExecutionOutput | null;
  transaction: Transactionish;
  records: HistoryRecord[];
}

function failedStepOf(records: HistoryRecord[]): StepName | null {
  const failed = records.filter((r) => r.kind === 'step' && r.state === 'FAILED').pop();
  return (failed?.name as StepName | undefined) ?? null;
}

/**
 * The saga `id` from its execution (`main`: its parsed history) and its compensation-mode
 * execution (`comp`: its parsed history, null when there is none).
 */
export function toLoadedSaga(
  ctx: Pick<Ctx, 'config' | 'now'>,
  id: string,
  execution: DescribeExecutionOutput,
  compensation: DescribeExecutionOutput | null,
  main: ParsedHistory,
  comp: ParsedHistory | null,
): LoadedSaga {
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
  const compRecords: HistoryRecord[] = [...main.records.filter((r) => r.kind === 'compensation')];
  for (const r of comp?.records.filter((x) => x.kind === 'compensation') ?? []) {
    const i = compRecords.findIndex((x) => x.name === r.name);
    // The compensation-mode run decides the state; the first run's attempts stay, before its own.
    const first = i >= 0 ? compRecords.splice(i, 1)[0] : undefined;
    compRecords.push(first ? bothRuns(first, r) : r);
  }
  const pending: SagaStepRecord[] =
    status === 'COMPENSATING' && failedStep
      ? compensationsFor(failedStep)
          .filter((c) => !compRecords.some((r) => r.name === c))
          .map((c) => notRun(c, 'compensation', 'PENDING'))
      : [];
  const strip = ({
    lastAttempt: _l,
    taskOutput: _t,
    ...r
  }: HistoryRecord | (SagaStepRecord & Partial<HistoryRecord>)): SagaStepRecord => r;
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
