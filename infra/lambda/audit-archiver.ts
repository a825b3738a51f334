/**
 * The audit archiver: the console's audit table streams every new entry (NEW_IMAGE) here, and
 * each one is written to the Object Lock bucket (COMPLIANCE mode, default retention set on the
 * bucket), so nobody in the account can rewrite or delete the audit history before it expires.
 * - One object per entry, keyed by the entry's table key (`audit/<pk>/<sk>.json`): the key is
 *   the identity, so a redelivered stream record writes the same key.
 * - The put is conditional (`If-None-Match: *`): a redelivery finds the object and is a no-op
 *   (412), so the locked copy holds each entry once and never a second version.
 * - Only INSERT records are archived (the audit table is append-only; MODIFY/REMOVE would be a
 *   violation of that and are logged as errors, never copied over the locked original).
 * - A failed put is reported as a batch item failure: Lambda retries from that record, and
 *   after the mapping's retries the record goes to the on-failure queue.
 */
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { requireEnv } from './shared/env';
import { observability } from './shared/observability';

const { logger, metrics, tracer } = observability();
const bucket = requireEnv('AUDIT_ARCHIVE_BUCKET');
const prefix = requireEnv('AUDIT_ARCHIVE_PREFIX');
const s3 = tracer.captureAWSv3Client(new S3Client({}));

type Image = Record<string, AttributeValue>;

/** A DynamoDB attribute value as plain JSON (numbers as strings: no precision is lost). */
export function plain(v: AttributeValue): unknown {
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return v.N;
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL !== undefined) return null;
  if (v.L !== undefined) return v.L.map(plain);
  if (v.M !== undefined) return Object.fromEntries(Object.entries(v.M).map(([k, x]) => [k, plain(x)]));
  if (v.SS !== undefined) return v.SS;
  if (v.NS !== undefined) return v.NS;
  // Binary values arrive base64-encoded in stream records: kept as that text.
  if (v.B !== undefined) return v.B;
  if (v.BS !== undefined) return v.BS;
  throw new Error(`unsupported attribute value ${JSON.stringify(Object.keys(v))}`);
}

/** The object key of an entry: the table key, path-safe. */
export function objectKey(keyPrefix: string, image: Image): string {
  const pk = image.pk?.S;
  const sk = image.sk?.S;
  if (!pk || !sk) throw new Error('audit entry has no string pk/sk');
  const safe = (s: string) => encodeURIComponent(s);
  return `${keyPrefix.replace(/\/+$/, '')}/${safe(pk)}/${safe(sk)}.json`;
}

export type ArchiveOutcome = 'archived' | 'already-archived' | 'ignored';

/** Archives one stream record. Throws on any failure other than "already archived". */
export async function archiveRecord(record: DynamoDBRecord): Promise<ArchiveOutcome> {
  if (record.eventName !== 'INSERT') {
    logger.error('audit entry changed or removed in an append-only table: not archived', {
      eventName: record.eventName,
      keys: record.dynamodb?.Keys,
    });
    return 'ignored';
  }
  const image = record.dynamodb?.NewImage;
  if (!image) throw new Error(`stream record ${record.eventID} has no NewImage (stream view must be NEW_IMAGE)`);
  const entry = Object.fromEntries(Object.entries(image).map(([k, v]) => [k, plain(v)]));
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: objectKey(prefix, image),
        Body: JSON.stringify(entry),
        ContentType: 'application/json',
        // Object Lock buckets refuse a put without an integrity checksum (Content-MD5 or x-amz-checksum-*).
        ChecksumAlgorithm: 'SHA256',
        IfNoneMatch: '*',
      }),
    );
    return 'archived';
  } catch (error) {
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412) return 'already-archived';
    throw error;
  }
}

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const failures: DynamoDBBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const outcome = await archiveRecord(record);
      metrics.addMetric(`AuditArchive_${outcome}`, 'Count', 1);
    } catch (error) {
      logger.error('audit entry not archived; the batch resumes from it', { eventID: record.eventID, error });
      metrics.addMetric('AuditArchive_failed', 'Count', 1);
      // Stream order matters: stop at the first failure, Lambda retries from this record.
      failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? record.eventID ?? '' });
      break;
    }
  }
  metrics.publishStoredMetrics();
  return { batchItemFailures: failures };
}
