/**
 * Fixtures for the aws adapter's tests (not a test file itself): a config as a deployed staging
 * stack would output it, callers for every role, and an adapter whose clients carry static
 * credentials (aws-sdk-client-mock intercepts every `send`, so nothing leaves the process).
 * Every command testPlatform's clients send is recorded with the caller's operator role and
 * checked against the file's IAM request catalog after the file (test/iam/recording.ts).
 */
import 'server-only';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, expect } from 'vitest';
import { RequestRecorder } from '../../../test/iam/recording';
import type { Caller, Role } from '../../auth/permissions.schema';
import { tempRedriveStore } from '../../db/testing/temp-redrive-store';
import { createAwsPlatform, type AwsPlatformDeps } from './adapter';
import type { AwsClients } from './clients';
import type { AwsPlatformConfig } from './config';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

export function testConfig(overrides: Partial<AwsPlatformConfig> = {}): AwsPlatformConfig {
  const p = 'ledgerline-staging';
  return {
    stage: 'staging',
    region: REGION,
    primaryRegion: REGION,
    secondaryRegion: null,
    queuePairs: [
      {
        id: 'processing',
        sourceUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${p}-processing`,
        sourceArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${p}-processing`,
        dlqUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${p}-processing-dlq`,
        dlqArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${p}-processing-dlq`,
      },
    ],
    bus: { name: `${p}-bus`, arn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${p}-bus` },
    archive: { name: `${p}-archive`, arn: `arn:aws:events:${REGION}:${ACCOUNT}:archive/${p}-archive` },
    replayRuleArns: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/${p}-bus/${p}-processing-route`],
    stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${p}-payment-saga`,
    sagaTable: null,
    idempotencyTable: `${p}-idempotency`,
    ledgerTable: `${p}-ledger`,
    archiveIndexTable: `${p}-archive-index`,
    globalEndpoint: null,
    operatorRoleArns: {
      viewer: `arn:aws:iam::${ACCOUNT}:role/${p}-console-viewer`,
      operator: `arn:aws:iam::${ACCOUNT}:role/${p}-console-operator`,
      approver: `arn:aws:iam::${ACCOUNT}:role/${p}-console-approver`,
      admin: `arn:aws:iam::${ACCOUNT}:role/${p}-console-admin`,
    },
    ...overrides,
  };
}

export function callerOf(role: Role, id = `${role}-1`): Caller {
  return { id, name: `Test ${role}`, role };
}

export function staticClients(region = REGION): AwsClients {
  const common = { region, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } };
  return {
    sqs: new SQSClient(common),
    cloudwatch: new CloudWatchClient(common),
    events: new EventBridgeClient(common),
    sfn: new SFNClient(common),
    dynamodb: DynamoDBDocumentClient.from(new DynamoDBClient(common)),
  };
}

export const NOW = Date.parse('2026-11-26T12:00:00.000Z');

/** The AWS requests this test file's adapters sent, as (IAM action, resource, role). */
export const recorder = new RequestRecorder();
afterAll(() => recorder.checkCatalog());

/** `clients` whose every `send` is recorded as sent by the operator role of `role`. */
export function recordingClients(clients: AwsClients, role: Role, region = REGION): AwsClients {
  const wrap = <C extends object>(client: C): C =>
    new Proxy(client, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (prop !== 'send' || typeof value !== 'function') return value;
        return (command: object, ...rest: unknown[]): unknown => {
          recorder.record(
            `operator-role:${role}`,
            target.constructor.name,
            command,
            { account: ACCOUNT, region },
            expect.getState().testPath,
          );
          return (value as (...a: unknown[]) => unknown).call(target, command, ...rest);
        };
      },
    });
  return Object.fromEntries(Object.entries(clients).map(([k, c]) => [k, wrap(c as object)])) as unknown as AwsClients;
}

/** Redrive stores of this file's adapters (temp console.db files), closed after the file. */
const stores: { close(): void }[] = [];
afterAll(() => {
  for (const s of stores.splice(0)) s.close();
});

/** A redrive store of its own (a console task's state), removed after the test file. */
export function testRedriveStore(): ReturnType<typeof tempRedriveStore> {
  const store = tempRedriveStore();
  stores.push(store);
  return store;
}

export function testPlatform(config = testConfig(), deps: Partial<AwsPlatformDeps> = {}) {
  const raw = staticClients();
  const byRole = new Map<Role, AwsClients>();
  const clients = (role: Role) => {
    let c = byRole.get(role);
    if (!c) byRole.set(role, (c = recordingClients(raw, role, config.region)));
    return c;
  };
  const sleeps: number[] = [];
  let clock = NOW;
  let seq = 0;
  const platform = createAwsPlatform(config, {
    redriveStore: testRedriveStore(),
    clientsFor: (caller) => clients(caller.role),
    now: () => clock,
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    randomId: () => `id${++seq}`,
    ...deps,
  });
  return { platform, sleeps, advance: (ms: number) => (clock += ms) };
}

/** A TransactionSubmitted envelope as a dead letter's body, for transaction `transactionId`. */
export function transactionEnvelopeBody(transactionId: string): string {
  return JSON.stringify({
    version: '0',
    id: `evt-${transactionId}`,
    source: 'transaction.processing',
    'detail-type': 'TransactionSubmitted',
    time: '2026-11-26T10:00:00Z',
    detail: { transactionId, amount: 100 },
  });
}
