/**
 * The platform driver: how a spec makes failures on purpose and leaves the platform as it found
 * it. Two implementations: the embedded platform's local admin API (local-admin-driver.ts) and
 * AWS (aws-driver.ts: EventBridge PutEvents with the e2e source, AWS FIS for outages).
 */
import type { StepName } from '../../infra/saga/definition';
import { mutationsAllowed } from '../env';
import { MutationRefused } from '../gate/request-guard';

export interface PlatformDriver {
  readonly kind: 'local' | 'aws';
  /** A valid transfer of 1.00 USD from acct-0001 to acct-0002. */
  injectTransaction(transactionId: string): Promise<void>;
  /** A transaction whose body the processor can never apply (amount as text): dead-lettered after 3 receives. */
  injectPoison(transactionId: string): Promise<void>;
  /** A transfer the source account cannot cover: its saga compensates. */
  injectInsufficientFunds(transactionId: string): Promise<void>;
  /** The same transaction sent twice (two events): the processor applies it once. */
  injectDuplicate(transactionId: string): Promise<void>;
  /** The downstream of a saga step is down (every call fails) until clearFaults() or outage(null). */
  outage(step: StepName | null): Promise<void>;
  /** The processor is down: valid messages fail and are dead-lettered after 3 receives. */
  processorOutage(): Promise<void>;
  clearFaults(): Promise<void>;
  /** Empties a queue's DLQ of what the suite put there (local: the whole DLQ; AWS: the e2e dead letters only). */
  purgeDeadLetters(queueId: string): Promise<void>;
  /** Faults off, this driver's dead letters gone, its transactions' sagas settled. */
  cleanup(): Promise<void>;
}

/** Every driver call changes the platform: refused (like a console mutation) while the gate is closed. */
export function assertMayMutate(what: string): void {
  if (!mutationsAllowed) throw new MutationRefused('DRIVER', what);
}

/** Transaction ids the suite makes all start with this (so clean-up finds its own dead letters). */
export const E2E_TX_PREFIX = 'tx-e2e-';
export const AMOUNTS = { valid: 100, poison: 'twelve', insufficient: 99_999_999_999 } as const;

export interface TransactionDetail {
  transactionId: string;
  fromAccount: string;
  toAccount: string;
  amount: number | string;
  currency: 'USD';
  createdAt: string;
}

export function transactionDetail(transactionId: string, amount: number | string, time: string): TransactionDetail {
  if (!transactionId.startsWith(E2E_TX_PREFIX))
    throw new Error(`e2e transaction ids start with ${E2E_TX_PREFIX}: ${transactionId}`);
  return { transactionId, fromAccount: 'acct-0001', toAccount: 'acct-0002', amount, currency: 'USD', createdAt: time };
}

/** Reads a saga's status through the console (GET only); undefined when there is none. */
export type SagaStatusReader = (transactionId: string) => Promise<string | undefined>;

const SETTLED = new Set(['SUCCEEDED', 'COMPENSATED', 'FAILED']);

/**
 * Waits until every saga of these transactions is settled (or has none: its message was
 * dead-lettered and removed). Returns the ones still moving after `timeoutMs`.
 */
export async function settleSagas(
  ids: Iterable<string>,
  read: SagaStatusReader,
  timeoutMs = 90_000,
  pause = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<string[]> {
  let pending = [...ids];
  const deadline = Date.now() + timeoutMs;
  while (pending.length > 0) {
    const statuses = await Promise.all(pending.map(async (id) => [id, await read(id)] as const));
    pending = statuses.filter(([, s]) => s !== undefined && !SETTLED.has(s)).map(([id]) => id);
    if (pending.length === 0 || Date.now() > deadline) break;
    await pause(2_000);
  }
  return pending;
}
