import 'server-only';
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { consoleTableKeys } from '../../../infra/platform/console';
import type { DynamoStateConfig } from '../dynamo/client';

/**
 * Tests: a DynamoDB-compatible server (dynalite) in this process on a random port, with the
 * console's two tables created exactly as infra/platform/console.ts lays them out (keys, GSIs
 * with every attribute projected, as TableV2 does by default). Conditional writes are real.
 */
type Dynalite = (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;

export interface ConsoleDynamo {
  endpoint: string;
  auditTable: string;
  stateTable: string;
  /** The state adapter's settings for one "process" (its own client; writer id if given). */
  config(writerId?: string): DynamoStateConfig;
  /** A raw client on the same server (tests that tamper with stored items). */
  client: DynamoDBClient;
  /** Removes the state table (every state write then fails), and creates it again, empty. */
  dropStateTable(): Promise<void>;
  createStateTable(): Promise<void>;
  close(): Promise<void>;
}

const S = 'S' as const;

function tableInput(
  name: string,
  keys: { partitionKey: string; sortKey: string },
  index: {
    indexName: string;
    partitionKey: string;
    sortKey: string;
  },
): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [keys.partitionKey, keys.sortKey, index.partitionKey, index.sortKey].map((n) => ({
      AttributeName: n,
      AttributeType: S,
    })),
    KeySchema: [
      { AttributeName: keys.partitionKey, KeyType: 'HASH' },
      { AttributeName: keys.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/** Starts the server and creates `<prefix>-console-audit` and `<prefix>-console-state`. */
export async function startConsoleDynamo(prefix = 'ledgerline-test'): Promise<ConsoleDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientConfig = {
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  const client = new DynamoDBClient(clientConfig);
  const auditTable = `${prefix}-console-audit`;
  const stateTable = `${prefix}-console-state`;
  const { audit, state } = consoleTableKeys;
  await client.send(new CreateTableCommand(tableInput(auditTable, audit, audit.byTime)));
  const createStateTable = async () => {
    await client.send(new CreateTableCommand(tableInput(stateTable, state, state.gsi1)));
  };
  await createStateTable();
  return {
    endpoint,
    auditTable,
    stateTable,
    client,
    createStateTable,
    dropStateTable: async () => {
      await client.send(new DeleteTableCommand({ TableName: stateTable }));
    },
    config: (writerId) => ({ auditTable, stateTable, client: { ...clientConfig }, ...(writerId ? { writerId } : {}) }),
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
