import 'server-only';
import { createHash, randomUUID } from 'node:crypto';

/**
 * The fake AWS world's clock: real time plus an offset the world moves forward when the adapter
 * sleeps or the harness lets the backend make progress (never behind real time, so windows the
 * contract computes from Date.now() stay valid for the adapter).
 */
export class FakeClock {
  private offset = 0;
  readonly now = (): number => Date.now() + this.offset;
  advance(ms: number): void {
    this.offset += Math.max(0, ms);
  }
}

/** A named AWS error as the SDK throws it (name, message, $fault, $metadata with an HTTP status). */
export function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: randomUUID(), attempts: 1, totalRetryDelay: 0 },
  });
}

export const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** A stable pseudo-random number in [0, 1) for `seed` (deterministic fixtures). */
export function unit(seed: string): number {
  return parseInt(createHash('sha256').update(seed).digest('hex').slice(0, 8), 16) / 0x1_0000_0000;
}

/** Opaque paging tokens of the fake services: an offset bound to the request it continues. */
export function pageToken(offset: number, bound: string): string {
  return Buffer.from(JSON.stringify({ offset, bound: md5(bound) })).toString('base64');
}
export function readPageToken(token: string | undefined, bound: string): number {
  if (!token) return 0;
  try {
    const t = JSON.parse(Buffer.from(token, 'base64').toString()) as { offset?: unknown; bound?: unknown };
    if (typeof t.offset === 'number' && t.bound === md5(bound)) return t.offset;
  } catch {
    // fall through
  }
  throw awsError('InvalidToken', 'The nextToken is not valid for this request');
}
