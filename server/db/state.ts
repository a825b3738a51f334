import 'server-only';
import { env } from '../env';
import { dynamoConsoleState } from './dynamo/state';
import { sqliteConsoleState } from './sqlite-state';
import type { ConsoleState } from './state-port';

let aws: ConsoleState | undefined;

/**
 * The console's state for this process, chosen from the environment: the local backend keeps it
 * in console.db under LEDGERLINE_DATA_DIR; the aws backend in the DynamoDB tables named by
 * LEDGERLINE_AUDIT_TABLE and LEDGERLINE_STATE_TABLE (one client and one audit writer per
 * process; AWS_ENDPOINT_URL_DYNAMODB, read by the SDK, points it at another endpoint).
 */
export function consoleState(): ConsoleState {
  if (env.LEDGERLINE_BACKEND !== 'aws') return sqliteConsoleState(env.LEDGERLINE_DATA_DIR);
  aws ??= dynamoConsoleState({
    auditTable: env.LEDGERLINE_AUDIT_TABLE!,
    stateTable: env.LEDGERLINE_STATE_TABLE!,
    client: { region: env.AWS_REGION },
  });
  return aws;
}

/** Where the Object Lock copy of the audit log is (aws: LEDGERLINE_AUDIT_ARCHIVE), or null. */
export function auditArchiveLocation(): string | null {
  return env.LEDGERLINE_AUDIT_ARCHIVE ?? null;
}
