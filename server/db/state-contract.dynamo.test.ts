import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { AUDIT_SEQ_WIDTH } from '../../infra/platform/console';
import { dynamoConsoleState } from './dynamo/state';
import { runStateContract } from './state-contract';
import { startConsoleDynamo } from './testing/console-dynamo';

/**
 * The DynamoDB adapter against dynalite started here (the tables as infra/platform/console.ts
 * lays them out): two instances with their own clients and writer ids, i.e. two console tasks.
 */
runStateContract('dynamodb', async () => {
  const server = await startConsoleDynamo();
  const a = dynamoConsoleState(server.config('writer-a'));
  const b = dynamoConsoleState(server.config('writer-b'));
  return {
    a,
    b,
    tamperAuditEntry: async () => {
      await server.client.send(
        new UpdateItemCommand({
          TableName: server.auditTable,
          Key: { pk: { S: 'chain#writer-a' }, sk: { S: '2'.padStart(AUDIT_SEQ_WIDTH, '0') } },
          UpdateExpression: 'SET reason = :r',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':r': { S: 'edited' } },
        }),
      );
    },
    close: () => server.close(),
  };
});
