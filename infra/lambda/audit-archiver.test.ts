/**
 * The audit archiver over a mocked S3 client (S3 does not run here): each INSERT becomes one
 * conditional put of the entry under its table key, with the integrity checksum an Object Lock
 * bucket requires; a redelivery (412) is a no-op; MODIFY/REMOVE never overwrite the locked copy;
 * a failure stops the batch at that record.
 */
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as Archiver from './audit-archiver';

const s3 = mockClient(S3Client);
let mod: typeof Archiver;

const record = (seq: string, over: Partial<DynamoDBRecord> = {}): DynamoDBRecord => ({
  eventID: `ev-${seq}`,
  eventName: 'INSERT',
  dynamodb: {
    SequenceNumber: seq,
    Keys: { pk: { S: 'chain#w1' }, sk: { S: `00000000000${seq}` } },
    NewImage: {
      pk: { S: 'chain#w1' },
      sk: { S: `00000000000${seq}` },
      at: { N: '1765000000000' },
      action: { S: 'queue.redrive' },
      detail: { M: { rate: { N: '10' }, ids: { L: [{ S: 'm1' }] }, dry: { BOOL: false }, none: { NULL: true } } },
    },
  },
  ...over,
});
const batch = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });
const preconditionFailed = () =>
  new S3ServiceException({
    name: 'PreconditionFailed',
    $fault: 'client',
    $metadata: { httpStatusCode: 412 },
    message: 'At least one of the pre-conditions you specified did not hold',
  });

beforeAll(async () => {
  Object.assign(process.env, {
    STAGE: 'test',
    AUDIT_ARCHIVE_BUCKET: 'ledgerline-test-audit-archive',
    AUDIT_ARCHIVE_PREFIX: 'audit/us-east-1/',
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  mod = await import('./audit-archiver');
});
beforeEach(() => s3.reset());

describe('audit archiver', () => {
  it('puts each inserted entry once, under its table key, conditional and checksummed', async () => {
    s3.on(PutObjectCommand).resolves({});
    const res = await mod.handler(batch(record('1'), record('2')));
    expect(res.batchItemFailures).toEqual([]);
    const calls = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({
      Bucket: 'ledgerline-test-audit-archive',
      Key: 'audit/us-east-1/chain%23w1/000000000001.json',
      IfNoneMatch: '*',
      ChecksumAlgorithm: 'SHA256',
      ContentType: 'application/json',
    });
    expect(JSON.parse(calls[0]!.Body as string)).toEqual({
      pk: 'chain#w1',
      sk: '000000000001',
      at: '1765000000000',
      action: 'queue.redrive',
      detail: { rate: '10', ids: ['m1'], dry: false, none: null },
    });
  });

  it('treats an object that already exists (412, a redelivery) as archived', async () => {
    s3.on(PutObjectCommand).rejects(preconditionFailed());
    await expect(mod.archiveRecord(record('1'))).resolves.toBe('already-archived');
    const res = await mod.handler(batch(record('1')));
    expect(res.batchItemFailures).toEqual([]);
  });

  it('never writes over the locked copy for MODIFY or REMOVE records', async () => {
    s3.on(PutObjectCommand).resolves({});
    await expect(mod.archiveRecord(record('3', { eventName: 'MODIFY' }))).resolves.toBe('ignored');
    await expect(mod.archiveRecord(record('4', { eventName: 'REMOVE' }))).resolves.toBe('ignored');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('stops the batch at the first failure and reports that record for the retry', async () => {
    s3.on(PutObjectCommand)
      .resolvesOnce({})
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'SlowDown' }))
      .resolves({});
    const res = await mod.handler(batch(record('1'), record('2'), record('3')));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);
  });

  it('refuses a record without a key or an image', async () => {
    const noImage = record('5');
    delete noImage.dynamodb!.NewImage;
    await expect(mod.archiveRecord(noImage)).rejects.toThrow(/NewImage/);
    expect(() => mod.objectKey('audit', { sk: { S: '1' } })).toThrow(/pk\/sk/);
  });
});
