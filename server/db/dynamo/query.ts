import 'server-only';
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

export type StoredItem = Record<string, unknown>;

/** Every page of a query, in order (LastEvaluatedKey followed until the end). */
export async function* queryPages<T = StoredItem>(
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
): AsyncGenerator<T[]> {
  let start: QueryCommandInput['ExclusiveStartKey'];
  do {
    const res = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    yield (res.Items ?? []) as unknown as T[];
    start = res.LastEvaluatedKey;
  } while (start);
}

/** Every item a query matches (all pages). */
export async function queryAll<T = StoredItem>(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<T[]> {
  const out: T[] = [];
  for await (const items of queryPages<T>(doc, input)) out.push(...items);
  return out;
}
