/**
 * The platform driver on AWS (staging). The runner's credentials (the default chain: in the
 * pipeline, the GitHub OIDC e2e role) only assume the two staging-only e2e roles, one per client:
 * test events go to the bus with the e2e source as the publisher role (it may put no other, and
 * do nothing else); outages are AWS FIS experiments (Lambda invocation errors on one function,
 * templates in the staging stack) and clean-up stops them and deletes the suite's own dead letters
 * (tx-e2e-…) from the processing DLQ, as the faults role; then it waits for its sagas to settle
 * (read through the console).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { FisClient, GetExperimentCommand, StartExperimentCommand, StopExperimentCommand } from '@aws-sdk/client-fis';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { StepName } from '../../infra/saga/definition';
import { AWS_E2E_SOURCE, AWS_FAULT_TARGETS, type AwsFaultTarget } from './aws-contract';
import {
  AMOUNTS,
  assertMayMutate,
  E2E_TX_PREFIX,
  settleSagas,
  transactionDetail,
  type PlatformDriver,
  type SagaStatusReader,
} from './platform-driver';

export interface AwsDriverConfig {
  region: string;
  busName: string;
  /** Fault target -> FIS experiment template id (the staging stack's E2eFaultTemplates output). */
  templates: Partial<Record<AwsFaultTarget, string>>;
  processingDlqUrl: string;
  /** Role the EventBridge client assumes (stack output E2ePublisherRoleArn). */
  publisherRoleArn: string;
  /** Role the FIS and SQS clients assume (stack output E2eFaultsRoleArn). */
  faultsRoleArn: string;
}

/**
 * E2E_AWS_REGION, E2E_EVENT_BUS_NAME, E2E_FAULT_TEMPLATES (JSON), E2E_PROCESSING_DLQ_URL,
 * E2E_PUBLISHER_ROLE_ARN, E2E_FAULTS_ROLE_ARN.
 */
export function awsDriverConfigFromEnv(env: Record<string, string | undefined> = process.env): AwsDriverConfig {
  const region = env.E2E_AWS_REGION ?? env.AWS_REGION ?? 'us-east-1';
  const templates = JSON.parse(env.E2E_FAULT_TEMPLATES ?? '{}') as Record<string, string>;
  for (const k of Object.keys(templates))
    if (!(AWS_FAULT_TARGETS as readonly string[]).includes(k))
      throw new Error(`E2E_FAULT_TEMPLATES: unknown target ${k}`);
  const processingDlqUrl = env.E2E_PROCESSING_DLQ_URL;
  if (!processingDlqUrl) throw new Error('E2E_PROCESSING_DLQ_URL must be set for the AWS driver');
  const roleArn = (name: string) => {
    const arn = env[name];
    if (!arn || !/^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/.test(arn))
      throw new Error(`${name} must be the ARN of an IAM role (stack outputs E2ePublisherRoleArn, E2eFaultsRoleArn)`);
    return arn;
  };
  return {
    region,
    busName: env.E2E_EVENT_BUS_NAME ?? 'ledgerline-staging-bus',
    templates,
    processingDlqUrl,
    publisherRoleArn: roleArn('E2E_PUBLISHER_ROLE_ARN'),
    faultsRoleArn: roleArn('E2E_FAULTS_ROLE_ARN'),
  };
}

export interface AwsClients {
  events: EventBridgeClient;
  fis: FisClient;
  sqs: SQSClient;
}

/**
 * One client per API, each with the credentials of the role it needs (role chaining from the
 * default chain: STS AssumeRole, one-hour sessions, refreshed by the SDK).
 */
export function awsClients(config: AwsDriverConfig): AwsClients {
  const { region } = config;
  const as = (RoleArn: string, RoleSessionName: string) =>
    fromTemporaryCredentials({ params: { RoleArn, RoleSessionName, DurationSeconds: 3600 }, clientConfig: { region } });
  const faults = as(config.faultsRoleArn, 'ledgerline-e2e-faults');
  return {
    events: new EventBridgeClient({ region, credentials: as(config.publisherRoleArn, 'ledgerline-e2e-publisher') }),
    fis: new FisClient({ region, credentials: faults }),
    sqs: new SQSClient({ region, credentials: faults }),
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class AwsDriver implements PlatformDriver {
  readonly kind = 'aws' as const;
  private readonly injected = new Set<string>();
  private readonly experiments = new Set<string>();

  constructor(
    private readonly config: AwsDriverConfig,
    private readonly readSaga: SagaStatusReader,
    private readonly clients: AwsClients = awsClients(config),
    private readonly wait = pause,
  ) {}

  private async put(transactionId: string, amount: number | string, copies = 1) {
    assertMayMutate(`PutEvents ${transactionId}`);
    const time = new Date();
    const detail = JSON.stringify(transactionDetail(transactionId, amount, time.toISOString()));
    this.injected.add(transactionId);
    const entries = Array.from({ length: copies }, () => ({
      EventBusName: this.config.busName,
      Source: AWS_E2E_SOURCE,
      DetailType: 'TransactionSubmitted',
      Time: time,
      Detail: detail,
    }));
    const out = await this.clients.events.send(new PutEventsCommand({ Entries: entries }));
    if (out.FailedEntryCount)
      throw new Error(`PutEvents ${transactionId}: ${out.Entries?.map((e) => e.ErrorCode ?? 'ok').join(', ')}`);
  }

  injectTransaction = (id: string) => this.put(id, AMOUNTS.valid);
  injectPoison = (id: string) => this.put(id, AMOUNTS.poison);
  injectInsufficientFunds = (id: string) => this.put(id, AMOUNTS.insufficient);
  injectDuplicate = (id: string) => this.put(id, AMOUNTS.valid, 2);

  private async start(target: AwsFaultTarget) {
    assertMayMutate(`StartExperiment ${target}`);
    const experimentTemplateId = this.config.templates[target];
    if (!experimentTemplateId) throw new Error(`no FIS experiment template for ${target} (E2E_FAULT_TEMPLATES)`);
    const out = await this.clients.fis.send(new StartExperimentCommand({ experimentTemplateId }));
    const id = out.experiment?.id;
    if (!id) throw new Error(`StartExperiment ${experimentTemplateId} returned no experiment id`);
    this.experiments.add(id);
    await this.until(id, ['running'], ['failed', 'stopped', 'completed', 'cancelled']);
  }

  /** Polls GetExperiment until the state is one of `want`; throws on `bad`. */
  private async until(id: string, want: string[], bad: string[] = []) {
    for (let i = 0; i < 60; i++) {
      const out = await this.clients.fis.send(new GetExperimentCommand({ id }));
      const state = out.experiment?.state?.status ?? 'unknown';
      if (want.includes(state)) return;
      if (bad.includes(state)) throw new Error(`FIS experiment ${id} is ${state}: ${out.experiment?.state?.reason}`);
      await this.wait(2_000);
    }
    throw new Error(`FIS experiment ${id} never reached ${want.join('/')}`);
  }

  async outage(step: StepName | null) {
    await this.clearFaults();
    if (step) await this.start(step);
  }
  processorOutage = () => this.start('processor');

  async clearFaults() {
    for (const id of this.experiments) {
      assertMayMutate(`StopExperiment ${id}`);
      await this.clients.fis.send(new StopExperimentCommand({ id }));
      await this.until(id, ['stopped', 'completed', 'failed', 'cancelled']);
      this.experiments.delete(id);
    }
  }

  /** Deletes the suite's dead letters (tx-e2e-…) from the processing DLQ; gives every other one back at once. */
  async purgeDeadLetters(queueId: string) {
    if (queueId !== 'processing') throw new Error(`the AWS driver cleans the processing DLQ only, not ${queueId}`);
    assertMayMutate('purge e2e dead letters');
    const QueueUrl = this.config.processingDlqUrl;
    for (let empty = 0, round = 0; empty < 2 && round < 50; round++) {
      const out = await this.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30, WaitTimeSeconds: 1 }),
      );
      const messages = out.Messages ?? [];
      empty = messages.length === 0 ? empty + 1 : 0;
      for (const m of messages) {
        const ReceiptHandle = m.ReceiptHandle!;
        if (isE2eMessage(m.Body)) await this.clients.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle }));
        else
          await this.clients.sqs.send(
            new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle, VisibilityTimeout: 0 }),
          );
      }
    }
  }

  async cleanup() {
    await this.clearFaults();
    if (this.injected.size > 0) await this.purgeDeadLetters('processing');
    const moving = await settleSagas(this.injected, this.readSaga, 180_000, this.wait);
    if (moving.length > 0) throw new Error(`sagas still moving after clean-up: ${moving.join(', ')}`);
  }
}

/** An EventBridge envelope (as the rule delivers it) whose transaction id is the suite's. */
export function isE2eMessage(body: string | undefined): boolean {
  try {
    const id = (JSON.parse(body ?? '') as { detail?: { transactionId?: unknown } }).detail?.transactionId;
    return typeof id === 'string' && id.startsWith(E2E_TX_PREFIX);
  } catch {
    return false;
  }
}
