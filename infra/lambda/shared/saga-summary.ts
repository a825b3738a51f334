/**
 * The saga summary item (infra/platform/layout.ts: pk sagaId, sk SAGA_SUMMARY_SK) the
 * console reads in one BatchGetItem instead of describing every execution. The console TRUSTS an
 * item's `status` over Step Functions, so a task writes a status only when it is certain:
 *   SUCCEEDED   the last step succeeded (nothing can fail after it)
 *   COMPENSATED the last compensation of the chain succeeded (the next state is Compensated)
 *   FAILED      a compensation failed on its last attempt (the next state is CompensationFailed)
 * Every other task outcome REMOVES the status, so the console falls back to the execution
 * (RUNNING, COMPENSATING, a saga compensated without any compensation task, a timeout no task
 * saw...). transactionId, amount, currency, startedAt, failedStep and error are kept current.
 */
import { SAGA_SUMMARY_SK } from '../../platform/layout';
import { sagaDefinition, type CompensationName, type StepName } from '../../saga/definition';

export interface SummaryOutcome {
  sagaId: string;
  task: StepName | CompensationName;
  transaction: { transactionId: string; amount: number; currency: string };
  /** 1-based attempt of this task. */
  attempt: number;
  /** null: the task succeeded. */
  error: { name: string; message: string } | null;
  now: number;
}

const steps = sagaDefinition.steps.map((s) => s.name);
const lastStep = steps[steps.length - 1];
/** The compensation chain runs newest first: its last entry is the first compensable step's. */
const lastCompensation = sagaDefinition.steps.find((s) => s.compensation !== null)?.compensation ?? null;

export interface SummaryUpdate {
  Key: { sagaId: string; sk: string };
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, string | number>;
}

export function summaryUpdate(o: SummaryOutcome): SummaryUpdate {
  const isStep = (steps as readonly string[]).includes(o.task);
  const at = new Date(o.now).toISOString();
  const set = [
    '#tx = :tx',
    '#amount = :amount',
    '#currency = :currency',
    '#updatedAt = :now',
    '#startedAt = if_not_exists(#startedAt, :at)',
  ];
  const remove: string[] = [];
  const names: Record<string, string> = {
    '#tx': 'transactionId',
    '#amount': 'amount',
    '#currency': 'currency',
    '#updatedAt': 'updatedAt',
    '#startedAt': 'startedAt',
    '#status': 'status',
    '#endedAt': 'endedAt',
  };
  const values: Record<string, string | number> = {
    ':tx': o.transaction.transactionId,
    ':amount': o.transaction.amount,
    ':currency': o.transaction.currency,
    ':now': o.now,
    ':at': at,
  };
  const finish = (status: 'SUCCEEDED' | 'COMPENSATED' | 'FAILED') => {
    set.push('#status = :status', '#endedAt = :at');
    values[':status'] = status;
  };
  const running = () => remove.push('#status', '#endedAt');
  const errorText = o.error ? `${o.error.name}: ${o.error.message}` : null;

  if (isStep) {
    names['#failedStep'] = 'failedStep';
    names['#error'] = 'error';
    if (errorText) {
      set.push('#failedStep = :failedStep', '#error = :error');
      values[':failedStep'] = o.task;
      values[':error'] = errorText;
      running();
    } else {
      // A retried step that now succeeded: its earlier failure is no longer the saga's.
      remove.push('#failedStep', '#error');
      if (o.task === lastStep) finish('SUCCEEDED');
      else running();
    }
  } else if (errorText) {
    if (o.attempt >= sagaDefinition.compensationRetry.maxAttempts) {
      names['#error'] = 'error';
      set.push('#error = :error');
      values[':error'] = `${o.task} failed after ${o.attempt} attempts: ${errorText}`;
      finish('FAILED');
    } else running();
  } else if (o.task === lastCompensation) finish('COMPENSATED');
  else running();

  return {
    Key: { sagaId: o.sagaId, sk: SAGA_SUMMARY_SK },
    UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
