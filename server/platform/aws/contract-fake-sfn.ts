import 'server-only';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  type DescribeExecutionOutput,
  type ExecutionListItem,
  type ExecutionStatus,
  type GetExecutionHistoryInput,
  type HistoryEvent,
  type ListExecutionsInput,
  type StartExecutionInput,
} from '@aws-sdk/client-sfn';
import { isCompensationExecutionName } from '../../../infra/platform/layout';
import { stepNames, type StepName } from '../../../infra/saga/definition';
import { pageToken, readPageToken, type FakeClock } from './contract-fake-clock';
import { sagaHistory, type SagaPlan } from './contract-fake-sfn-history';

/**
 * Step Functions (Standard) for the contract harness: executions of the saga state machine whose
 * status and history follow the world's clock (a history is planned when the execution starts;
 * the events not yet due are not returned, and an execution without its final event is RUNNING).
 * StartExecution is idempotent by name and input, else ExecutionAlreadyExists; a compensation-mode
 * input (`mode: "compensate"`) runs the compensations of the steps in its `results`.
 */

interface FakeExecution {
  name: string;
  arn: string;
  input: string;
  start: number;
  events: HistoryEvent[];
}

const meta = { $metadata: {} };

export class FakeSfn {
  private readonly executions = new Map<string, FakeExecution>();

  constructor(
    private readonly clock: FakeClock,
    private readonly stateMachineArn: string,
  ) {}

  private arnOf(name: string): string {
    const p = this.stateMachineArn.split(':');
    return [...p.slice(0, 5), 'execution', p[6], name].join(':');
  }

  private lambdaArn = (fn: string) => {
    const p = this.stateMachineArn.split(':');
    return `arn:aws:lambda:${p[3]}:${p[4]}:function:ledgerline-${fn}`;
  };

  /** An execution that started `agoMs` before now, following `plan`. */
  seed(name: string, input: string, agoMs: number, plan: SagaPlan): void {
    const start = this.clock.now() - agoMs;
    this.executions.set(this.arnOf(name), {
      name,
      arn: this.arnOf(name),
      input,
      start,
      events: sagaHistory(plan, start, input, this.lambdaArn),
    });
  }

  private due(e: FakeExecution): HistoryEvent[] {
    const now = this.clock.now();
    return e.events.filter((x) => (x.timestamp?.getTime() ?? 0) <= now);
  }

  private summary(e: FakeExecution) {
    const events = this.due(e);
    const last = events[events.length - 1];
    const status: ExecutionStatus =
      last?.type === 'ExecutionSucceeded' ? 'SUCCEEDED' : last?.type === 'ExecutionFailed' ? 'FAILED' : 'RUNNING';
    return {
      executionArn: e.arn,
      stateMachineArn: this.stateMachineArn,
      name: e.name,
      status,
      startDate: new Date(e.start),
      ...(status !== 'RUNNING' ? { stopDate: last?.timestamp } : {}),
      redriveCount: 0,
      last,
    };
  }

  private find(arn: string | undefined): FakeExecution {
    const e = arn ? this.executions.get(arn) : undefined;
    if (!e) throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${arn}'`, ...meta });
    return e;
  }

  describeExecution(input: { executionArn?: string }): DescribeExecutionOutput {
    const e = this.find(input.executionArn);
    const { last, ...s } = this.summary(e);
    const failed = last?.executionFailedEventDetails;
    return {
      ...s,
      input: e.input,
      inputDetails: { included: true },
      ...(s.status === 'SUCCEEDED' ? { output: e.input, outputDetails: { included: true } } : {}),
      ...(failed ? { error: failed.error, cause: failed.cause } : {}),
      redriveStatus: s.status === 'FAILED' ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
    };
  }

  listExecutions(input: ListExecutionsInput) {
    const max = input.maxResults || 100;
    const bound = JSON.stringify({ ...input, nextToken: undefined });
    const offset = readPageToken(input.nextToken, bound);
    const all: ExecutionListItem[] = [...this.executions.values()]
      .filter((e) => input.stateMachineArn === this.stateMachineArn && e.start <= this.clock.now())
      .map((e) => {
        const { last: _last, ...s } = this.summary(e);
        return s;
      })
      .filter((s) => !input.statusFilter || s.status === input.statusFilter)
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
    const next = offset + max < all.length ? pageToken(offset + max, bound) : undefined;
    return { executions: all.slice(offset, offset + max), ...(next ? { nextToken: next } : {}) };
  }

  getExecutionHistory(input: GetExecutionHistoryInput) {
    const e = this.find(input.executionArn);
    const max = input.maxResults || 100;
    let events = this.due(e);
    if (input.reverseOrder) events = [...events].reverse();
    if (input.includeExecutionData === false)
      events = events.map((x) => ({
        ...x,
        ...(x.stateEnteredEventDetails ? { stateEnteredEventDetails: { name: x.stateEnteredEventDetails.name } } : {}),
        ...(x.stateExitedEventDetails ? { stateExitedEventDetails: { name: x.stateExitedEventDetails.name } } : {}),
      }));
    const bound = JSON.stringify({ ...input, nextToken: undefined });
    const offset = readPageToken(input.nextToken, bound);
    const next = offset + max < events.length ? pageToken(offset + max, bound) : undefined;
    return { events: events.slice(offset, offset + max), ...(next ? { nextToken: next } : {}) };
  }

  startExecution(input: StartExecutionInput) {
    const name = input.name ?? '';
    const arn = this.arnOf(name);
    const existing = this.executions.get(arn);
    if (existing) {
      if (existing.input === input.input && this.summary(existing).status === 'RUNNING')
        return { executionArn: arn, startDate: new Date(existing.start) };
      throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${arn}'`, ...meta });
    }
    const body = JSON.parse(input.input ?? '{}') as { mode?: string; results?: Record<string, unknown> };
    const plan: SagaPlan =
      body.mode === 'compensate' && isCompensationExecutionName(name)
        ? { kind: 'compensation-mode', steps: stepNames.filter((s): s is StepName => s in (body.results ?? {})) }
        : { kind: 'succeeds' };
    const start = this.clock.now();
    this.executions.set(arn, {
      name,
      arn,
      input: input.input ?? '{}',
      start,
      events: sagaHistory(plan, start, input.input ?? '{}', this.lambdaArn),
    });
    return { executionArn: arn, startDate: new Date(start) };
  }

  redriveExecution(input: { executionArn?: string }): never {
    this.find(input.executionArn);
    throw new ExecutionNotRedrivable({ message: 'Execution is not redrivable in this fake world', ...meta });
  }
}
