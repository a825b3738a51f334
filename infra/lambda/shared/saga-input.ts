/**
 * The saga execution's name and input, shared by the processor and the tests. The name and the
 * input shape are the aws adapter's contract (infra/platform/layout.ts): the execution of a
 * transaction is named `sagaIdFor(transactionId)` and its input is `{ sagaId, transaction }`.
 */
import { sagaIdFor } from '../../platform/layout';
import type { Transaction } from '../../runtime/transaction';

/** The saga id of a transaction = the name of its Step Functions execution. */
export function executionName(transactionId: string): string {
  const name = sagaIdFor(transactionId);
  if (name.length === 0) throw new Error('a transaction id cannot be empty: it names the saga execution');
  return name;
}

export interface SagaInput {
  sagaId: string;
  transaction: Transaction;
}

export function sagaInput(sagaId: string, transaction: Transaction): SagaInput {
  return { sagaId, transaction };
}
