/**
 * The failure index writes of one last failure (layout in infra/platform/layout.ts), as plain
 * DynamoDB request inputs (AttributeValue maps, no SDK): the processor Lambda sends them, the
 * console's tests and the triage bench send the very same requests to a DynamoDB-compatible server.
 *   put:    the entry, once (conditional: a retried invocation does not count it twice);
 *   update: its class item, sent only when the put succeeded: count + 1, first/last seen, sample.
 */
import { failureIndexExpiry, failureIndexKeys } from '../platform/layout';
import { classifyFailure, type FailureClass } from './failure-class';

type AttributeValue = { S: string } | { N: string } | { NULL: true };

export interface LastFailure {
  queueId: string;
  messageId: string;
  body: string;
  /** The thrown value, or a recorded `Name: message` text. */
  error: unknown;
  nowMs: number;
}

/** The transaction id a body names, if any (also for a body the processor rejected). */
export function transactionIdOf(body: string): string | null {
  try {
    const id = (JSON.parse(body) as { detail?: { transactionId?: unknown } } | null)?.detail?.transactionId;
    return typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : null;
  } catch {
    return null;
  }
}

export function failureIndexRequests(table: string, f: LastFailure) {
  const c: FailureClass = classifyFailure(f.error);
  const at = new Date(f.nowMs).toISOString();
  const transactionId = transactionIdOf(f.body);
  const text = (f.error instanceof Error ? `${f.error.name}: ${f.error.message}` : String(f.error)).slice(0, 2000);
  const S = (v: string): AttributeValue => ({ S: v });
  const expiry: AttributeValue = { N: String(failureIndexExpiry(f.nowMs)) };
  const key = failureIndexKeys.entry(f.queueId, f.messageId);
  const classKey = failureIndexKeys.classItem(f.queueId, c.classId);
  const put = {
    TableName: table,
    Item: {
      pk: S(key.pk),
      sk: S(key.sk),
      messageId: S(f.messageId),
      queueId: S(f.queueId),
      classId: S(c.classId),
      errorType: S(c.errorType),
      step: S(c.step),
      verdict: S(c.verdict),
      normalisedMessage: S(c.normalisedMessage),
      error: S(text),
      at: S(at),
      expiryTime: expiry,
      classKey: S(failureIndexKeys.classKey(f.queueId, c.classId)),
      classSk: S(failureIndexKeys.classSk(at, f.messageId)),
      ...(transactionId
        ? { transactionId: S(transactionId), txKey: S(failureIndexKeys.txKey(f.queueId, transactionId)) }
        : {}),
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
  const update = {
    TableName: table,
    Key: { pk: S(classKey.pk), sk: S(classKey.sk) },
    UpdateExpression:
      'ADD #count :one SET firstSeen = if_not_exists(firstSeen, :at), lastSeen = :at, errorType = :et, step = :step, verdict = :v, normalisedMessage = :nm, sampleMessageId = if_not_exists(sampleMessageId, :mid), sampleTransactionId = if_not_exists(sampleTransactionId, :tx), sampleError = if_not_exists(sampleError, :err), sampleBody = if_not_exists(sampleBody, :body), expiryTime = :exp',
    ExpressionAttributeNames: { '#count': 'count' },
    ExpressionAttributeValues: {
      ':one': { N: '1' },
      ':at': S(at),
      ':et': S(c.errorType),
      ':step': S(c.step),
      ':v': S(c.verdict),
      ':nm': S(c.normalisedMessage),
      ':mid': S(f.messageId),
      ':tx': transactionId ? S(transactionId) : ({ NULL: true } as const),
      ':err': S(text),
      ':body': S(f.body.slice(0, 300)),
      ':exp': expiry,
    },
  };
  return { put, update, failureClass: c };
}
