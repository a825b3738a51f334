/**
 * The AWS driver's requests (aws-sdk-client-mock): what it sends EventBridge, FIS and SQS is what
 * the staging e2e roles allow, and each client sends as the role that allows it: EventBridge as
 * the publisher role, FIS and SQS as the faults role, both assumed (STS AssumeRole) from the
 * runner's credentials (infra/test/e2e-staging.test.ts checks the roles' side: PutEvents only
 * with events:source = AWS_E2E_SOURCE, the construct's templates, the processing DLQ).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { FisClient, GetExperimentCommand, StartExperimentCommand, StopExperimentCommand } from '@aws-sdk/client-fis';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AWS_E2E_SOURCE } from '../../e2e/drivers/aws-contract';
import { awsClients, AwsDriver, awsDriverConfigFromEnv, type AwsDriverConfig } from '../../e2e/drivers/aws-driver';

const events = mockClient(EventBridgeClient);
// @aws-sdk/client-fis 3.523 is typed against an older Smithy than aws-sdk-client-mock 4 expects:
// the same client at run time, so the types are cast at this boundary only.
const fis = mockClient(FisClient as unknown as Parameters<typeof mockClient>[0]);
const fisCommand = (c: unknown) => c as Parameters<typeof fis.on>[0];
const sqs = mockClient(SQSClient);
// The STS client fromTemporaryCredentials uses (@aws-sdk/credential-providers loads it from here).
const sts = mockClient(STSClient);
const PUBLISHER = 'arn:aws:iam::111122223333:role/ledgerline-staging-E2ePublisherRole-AbC';
const FAULTS = 'arn:aws:iam::111122223333:role/ledgerline-staging-E2eFaultsRole-DeF';
const config: AwsDriverConfig = {
  region: 'us-east-1',
  busName: 'ledgerline-staging-bus',
  templates: { SettlePayment: 'EXT-settle', processor: 'EXT-proc' },
  processingDlqUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/ledgerline-staging-processing-dlq',
  publisherRoleArn: PUBLISHER,
  faultsRoleArn: FAULTS,
};
const noWait = () => Promise.resolve();
const driver = (read = vi.fn().mockResolvedValue(undefined)) =>
  new AwsDriver(
    config,
    read,
    { events: new EventBridgeClient({}), fis: new FisClient({}), sqs: new SQSClient({}) },
    noWait,
  );
const detailOf = (i = 0) =>
  JSON.parse(events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![i]!.Detail!) as Record<string, unknown>;

beforeEach(() => {
  for (const m of [events, fis, sqs, sts]) m.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});
afterEach(() => vi.unstubAllEnvs());

describe('AwsDriver', () => {
  it('puts a poison transaction on the staging bus with the e2e source only', async () => {
    await driver().injectPoison('tx-e2e-poison-1');
    const [call] = events.commandCalls(PutEventsCommand);
    const entries = call!.args[0].input.Entries!;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      EventBusName: 'ledgerline-staging-bus',
      Source: AWS_E2E_SOURCE,
      DetailType: 'TransactionSubmitted',
    });
    expect(detailOf()).toMatchObject({ transactionId: 'tx-e2e-poison-1', amount: 'twelve', currency: 'USD' });
  });

  it('sends a duplicate as two identical events and an insufficient-funds transfer as one the account cannot cover', async () => {
    await driver().injectDuplicate('tx-e2e-dup-1');
    const entries = events.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries!;
    expect(entries).toHaveLength(2);
    expect(entries[1]!.Detail).toBe(entries[0]!.Detail);
    events.resetHistory();
    await driver().injectInsufficientFunds('tx-e2e-nsf-1');
    expect(detailOf().amount).toBeGreaterThan(1_000_000_000);
  });

  it('fails when EventBridge rejects an entry, and refuses ids that are not the suite’s', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException' }] });
    await expect(driver().injectTransaction('tx-e2e-x')).rejects.toThrow(/AccessDeniedException/);
    await expect(driver().injectTransaction('tx-real-1')).rejects.toThrow(/tx-e2e-/);
  });

  it('starts the step’s FIS experiment, waits for it to run, and stops it on clearFaults', async () => {
    fis.on(fisCommand(StartExperimentCommand)).resolves({ experiment: { id: 'EXP1' } } as never);
    fis
      .on(fisCommand(GetExperimentCommand))
      .resolvesOnce({ experiment: { id: 'EXP1', state: { status: 'initiating' } } } as never)
      .resolvesOnce({ experiment: { id: 'EXP1', state: { status: 'running' } } } as never)
      .resolves({ experiment: { id: 'EXP1', state: { status: 'stopped' } } } as never);
    fis.on(fisCommand(StopExperimentCommand)).resolves({});
    const d = driver();
    await d.outage('SettlePayment');
    const started = fis.commandCalls(fisCommand(StartExperimentCommand))[0]!.args[0].input as {
      experimentTemplateId?: string;
    };
    expect(started.experimentTemplateId).toBe('EXT-settle');
    expect(fis.commandCalls(fisCommand(GetExperimentCommand))).toHaveLength(2);
    await d.clearFaults();
    expect(
      fis.commandCalls(fisCommand(StopExperimentCommand)).map((c) => (c.args[0].input as { id?: string }).id),
    ).toEqual(['EXP1']);
    await d.clearFaults(); // nothing left to stop
    expect(fis.commandCalls(fisCommand(StopExperimentCommand))).toHaveLength(1);
  });

  it('names the missing template and fails when the experiment does not start', async () => {
    await expect(driver().outage('Notify')).rejects.toThrow(/no FIS experiment template for Notify/);
    fis.on(fisCommand(StartExperimentCommand)).resolves({ experiment: { id: 'EXP2' } } as never);
    fis
      .on(fisCommand(GetExperimentCommand))
      .resolves({ experiment: { id: 'EXP2', state: { status: 'failed', reason: 'no layer' } } } as never);
    await expect(driver().processorOutage()).rejects.toThrow(/EXP2 is failed: no layer/);
  });

  it('deletes only the suite’s dead letters and gives every other one back at once', async () => {
    const body = (transactionId: string) =>
      JSON.stringify({ source: 'transaction.processing', detail: { transactionId } });
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { ReceiptHandle: 'rh-ours', Body: body('tx-e2e-poison-1') },
          { ReceiptHandle: 'rh-theirs', Body: body('tx-7f3a') },
          { ReceiptHandle: 'rh-junk', Body: 'not json' },
        ],
      })
      .resolves({ Messages: [] });
    await driver().purgeDeadLetters('processing');
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input.QueueUrl).toBe(config.processingDlqUrl);
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual(['rh-ours']);
    expect(
      sqs
        .commandCalls(ChangeMessageVisibilityCommand)
        .map((c) => [c.args[0].input.ReceiptHandle, c.args[0].input.VisibilityTimeout]),
    ).toEqual([
      ['rh-theirs', 0],
      ['rh-junk', 0],
    ]);
    await expect(driver().purgeDeadLetters('payments')).rejects.toThrow(/processing DLQ only/);
  });

  it('cleanup waits for the sagas of the transactions it put to settle', async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    const read = vi
      .fn()
      .mockResolvedValueOnce('RUNNING')
      .mockResolvedValueOnce('COMPENSATING')
      .mockResolvedValue('COMPENSATED');
    const d = driver(read);
    await d.injectInsufficientFunds('tx-e2e-nsf-2');
    await d.cleanup();
    expect(read).toHaveBeenCalledTimes(3);
    expect(read).toHaveBeenCalledWith('tx-e2e-nsf-2');
  });

  it('sends nothing while the mutation gate is closed (E2E_BASE_URL without E2E_ALLOW_MUTATIONS)', async () => {
    vi.stubEnv('E2E_BASE_URL', 'https://console.staging.example');
    vi.stubEnv('E2E_ALLOW_MUTATIONS', '');
    vi.resetModules();
    const { AwsDriver: Gated } = await import('../../e2e/drivers/aws-driver');
    const d = new Gated(
      config,
      vi.fn(),
      { events: new EventBridgeClient({}), fis: new FisClient({}), sqs: new SQSClient({}) },
      noWait,
    );
    await expect(d.injectPoison('tx-e2e-p')).rejects.toThrow(/mutation gate/);
    await expect(d.processorOutage()).rejects.toThrow(/mutation gate/);
    expect(events.calls()).toHaveLength(0);
    expect(fis.calls()).toHaveLength(0);
  });

  it('reads its settings from the environment and names what is wrong', () => {
    const roles = { E2E_PUBLISHER_ROLE_ARN: PUBLISHER, E2E_FAULTS_ROLE_ARN: FAULTS };
    expect(() => awsDriverConfigFromEnv({ ...roles })).toThrow(/E2E_PROCESSING_DLQ_URL/);
    expect(() =>
      awsDriverConfigFromEnv({ ...roles, E2E_PROCESSING_DLQ_URL: 'u', E2E_FAULT_TEMPLATES: '{"Bogus":"x"}' }),
    ).toThrow(/unknown target Bogus/);
    expect(() => awsDriverConfigFromEnv({ E2E_PROCESSING_DLQ_URL: 'u', E2E_FAULTS_ROLE_ARN: FAULTS })).toThrow(
      /E2E_PUBLISHER_ROLE_ARN must be the ARN of an IAM role/,
    );
    expect(() =>
      awsDriverConfigFromEnv({
        E2E_PROCESSING_DLQ_URL: 'u',
        E2E_PUBLISHER_ROLE_ARN: PUBLISHER,
        E2E_FAULTS_ROLE_ARN: 'x',
      }),
    ).toThrow(/E2E_FAULTS_ROLE_ARN must be the ARN of an IAM role/);
    expect(
      awsDriverConfigFromEnv({
        ...roles,
        E2E_PROCESSING_DLQ_URL: 'u',
        E2E_FAULT_TEMPLATES: '{"processor":"EXT9"}',
        AWS_REGION: 'us-east-1',
      }),
    ).toEqual({
      region: 'us-east-1',
      busName: 'ledgerline-staging-bus',
      templates: { processor: 'EXT9' },
      processingDlqUrl: 'u',
      publisherRoleArn: PUBLISHER,
      faultsRoleArn: FAULTS,
    });
  });

  it('each client sends as its own role: EventBridge as the publisher, FIS and SQS as the faults role', async () => {
    sts.on(AssumeRoleCommand).callsFake((input: { RoleArn?: string }) => ({
      Credentials: {
        AccessKeyId: input.RoleArn === PUBLISHER ? 'ASIAPUBLISHER' : input.RoleArn === FAULTS ? 'ASIAFAULTS' : 'ASIA?',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    }));
    const clients = awsClients(config);
    expect((await clients.events.config.credentials()).accessKeyId).toBe('ASIAPUBLISHER');
    expect((await clients.fis.config.credentials()).accessKeyId).toBe('ASIAFAULTS');
    expect((await clients.sqs.config.credentials()).accessKeyId).toBe('ASIAFAULTS');
    const assumed = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
    expect(assumed.map((a) => a.RoleArn).sort()).toEqual([PUBLISHER, FAULTS, FAULTS].sort());
    for (const a of assumed) {
      expect(a.DurationSeconds).toBe(3600);
      expect(a.RoleSessionName).toBe(a.RoleArn === PUBLISHER ? 'ledgerline-e2e-publisher' : 'ledgerline-e2e-faults');
    }
    // The region of the clients (and of the STS calls): the configured one.
    expect(await clients.events.config.region()).toBe('us-east-1');
    expect(await clients.fis.config.region()).toBe('us-east-1');
  });

  it('a driver built from the settings puts events through the publisher-role client only', async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAX',
        SecretAccessKey: 's',
        SessionToken: 't',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    await new AwsDriver(config, vi.fn(), undefined, noWait).injectTransaction('tx-e2e-own-clients');
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(fis.calls()).toHaveLength(0);
    expect(sqs.calls()).toHaveLength(0);
  });
});
