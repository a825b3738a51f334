import 'server-only';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Where the console's state lives on AWS (infra/platform/console.ts names the tables). */
export interface DynamoStateConfig {
  auditTable: string;
  stateTable: string;
  /** SDK client settings: the region; tests add the endpoint of their DynamoDB-compatible server. */
  client: DynamoDBClientConfig;
  /** This process's audit chain; default: writerIdOf(this process). */
  writerId?: string;
}

/**
 * The id of this process's audit chain: `${hostname}-${pid}-${8 random hex}`, reduced to
 * [A-Za-z0-9._-] (it appears in keys and page cursors). Hostname and pid say which task wrote an
 * entry (ECS gives each task its own hostname); the random part keeps a restarted process whose
 * pid repeats from ever appending to an older chain: every process starts a new chain at seq 1.
 */
export function newWriterId(): string {
  const host =
    os
      .hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 60) || 'host';
  return `${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * A document client: AWS_ENDPOINT_URL_DYNAMODB (read by the SDK itself) or `config.endpoint`
 * points it at another DynamoDB-compatible server.
 */
export function documentClient(config: DynamoDBClientConfig): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** The SDK's "condition not met" answer (a conditional write lost or found nothing to do). */
export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** A number as a fixed-width decimal string, so string order is numeric order. */
export const padded = (n: number, width: number): string => String(Math.max(0, Math.trunc(n))).padStart(width, '0');
