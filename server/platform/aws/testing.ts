/**
 * Fixtures for the aws adapter's tests (not a test file itself): a config as a deployed staging
 * stack would output it, callers for every role, and an adapter whose clients carry static
 * credentials (aws-sdk-client-mock intercepts every `send`, so nothing leaves the process).
 */
import 'server-only';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Caller, Role } from '../../auth/permissions.schema';
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

export function testPlatform(config = testConfig(), deps: AwsPlatformDeps = {}) {
  const clients = staticClients();
  const sleeps: number[] = [];
  let clock = NOW;
  let seq = 0;
  const platform = createAwsPlatform(config, {
    clientsFor: () => clients,
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
