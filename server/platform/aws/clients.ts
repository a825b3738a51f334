import 'server-only';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Caller } from '../../auth/permissions.schema';
import type { AwsPlatformConfig } from './config';
import type { RoleCredentials } from './credentials';

/** The SDK clients of one caller, all signed with that caller's role session. */
export interface AwsClients {
  sqs: SQSClient;
  cloudwatch: CloudWatchClient;
  events: EventBridgeClient;
  sfn: SFNClient;
  dynamodb: DynamoDBDocumentClient;
}

export type ClientsFor = (caller: Caller) => AwsClients;

/**
 * Clients per (role, operator), kept in a small LRU: the clients resolve credentials through
 * the role-credential cache on every request, so a cached client never outlives its session.
 */
export function createClientsFor(
  config: AwsPlatformConfig,
  credentials: RoleCredentials,
  maxEntries = 200,
): ClientsFor {
  const cache = new Map<string, AwsClients>();
  return (caller) => {
    const key = `${caller.role}\u0000${caller.id}`;
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const common = { region: config.region, credentials: credentials.providerFor(caller), maxAttempts: 3 };
    const clients: AwsClients = {
      sqs: new SQSClient(common),
      cloudwatch: new CloudWatchClient(common),
      events: new EventBridgeClient(common),
      sfn: new SFNClient(common),
      dynamodb: DynamoDBDocumentClient.from(new DynamoDBClient(common), {
        marshallOptions: { removeUndefinedValues: true },
      }),
    };
    cache.set(key, clients);
    if (cache.size > maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) {
        const evicted = cache.get(oldest);
        cache.delete(oldest);
        if (evicted) for (const client of Object.values(evicted) as { destroy(): void }[]) client.destroy();
      }
    }
    return clients;
  };
}

/** What every operation of the adapter works with. */
export interface Ctx {
  config: AwsPlatformConfig;
  aws: AwsClients;
  caller: Caller;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  randomId: () => string;
}

export function iso(ms: number | Date): string {
  return new Date(ms).toISOString();
}
