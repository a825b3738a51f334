/** Hostile requests to the write routes: /api/ops/redrives/**, /api/ops/replays/**, /api/ops/quarantine. */
import { POST as quarantine } from '@/app/api/ops/quarantine/route';
import { POST as cancelRedrive } from '@/app/api/ops/redrives/[id]/cancel/route';
import { GET as redriveStatus } from '@/app/api/ops/redrives/[id]/route';
import { POST as startRedrive } from '@/app/api/ops/redrives/route';
import { POST as cancelReplay } from '@/app/api/ops/replays/[name]/cancel/route';
import { POST as previewReplay } from '@/app/api/ops/replays/preview/route';
import { POST as startReplay } from '@/app/api/ops/replays/route';
import { GET as byTransaction } from '@/app/api/platform/queues/[id]/dead-letters/by-transaction/route';
import { GET as failureClasses } from '@/app/api/platform/queues/[id]/failure-classes/route';
import { SESSION_COOKIE } from '@/server/auth/cookies';
import { hoursAgo, lastHour, type Fixtures } from './fixtures';
import type { Case, Handler, RequestOptions } from './harness';

type Shorthand = [label: string, options: RequestOptions, names: string | string[], status?: number];

/** The cases of one route: the same handler, URL and params for each. */
export function casesOf(handler: Handler, url: string, params: Record<string, string>, list: Shorthand[]): Case[] {
  return list.map(([label, options, names, status]) => ({ label, handler, url, params, options, names, status }));
}

export const op = (body: unknown, extra: RequestOptions = {}): RequestOptions => ({ as: 'operator', body, ...extra });
export const raw = (text: string, extra: RequestOptions = {}): RequestOptions => ({
  as: 'operator',
  raw: text,
  ...extra,
});
export const FORGED_COOKIE = `${SESSION_COOKIE}=eyJhbGciOiJIUzI1NiJ9.forged.signature`;
export const long = (n: number) => 'x'.repeat(n);
/** A well-formed failure class id that no dead letter has. */
const CLASS = '0123456789abcdef';

/** The transport and session attacks every write route must refuse, around a valid body. */
export function transportCases(body: unknown, forbidden: 'viewer' | 'approver' | 'operator'): Shorthand[] {
  return [
    ['forged Origin', op(body, { origin: 'https://evil.example' }), 'origin', 403],
    ['no Origin', op(body, { origin: null }), 'origin', 403],
    ['Origin "null"', op(body, { origin: 'null' }), 'origin', 403],
    ['missing CSRF token', op(body, { csrf: null }), 'x-csrf-token', 403],
    ['forged CSRF token', op(body, { csrf: 'forged-token-forged-token-forged-token-forge' }), 'x-csrf-token', 403],
    [`as ${forbidden}`, { as: forbidden, body }, 'role', 403],
    ['not signed in', { body }, 'Sign in', 401],
    ['forged session cookie', { body, cookie: FORGED_COOKIE }, 'Sign in', 401],
  ];
}

export function opsCases(fx: Fixtures): Case[] {
  const redrive = { queueId: 'processing', reason: 'drain after fix' };
  const quarantined = { queueId: 'processing', classIds: [CLASS], reason: 'poison payloads', ticket: 'INC-17' };
  const [d0, d1] = fx.deadLetters;
  const ids = (messageIds: unknown) => op({ ...redrive, messageIds });
  const replay = () => ({ archive: fx.archive, window: lastHour(), reason: 'reprocess after fix' });
  const preview = (extra: object) => op({ archive: fx.archive, window: lastHour(), ...extra });
  const later = { start: hoursAgo(0.5), end: new Date(Date.now() - 2000).toISOString() };
  return [
    ...casesOf(startRedrive, '/api/ops/redrives', {}, [
      ['redrive: queueId missing', op({ reason: 'drain after fix' }), 'queueId'],
      ['redrive: queueId a number', op({ ...redrive, queueId: 7 }), 'queueId'],
      ['redrive: queueId empty', op({ ...redrive, queueId: '' }), 'queueId'],
      ['redrive: unknown queue', op({ ...redrive, queueId: 'nope' }), 'queueId'],
      ['redrive: queueId __proto__', op({ ...redrive, queueId: '__proto__' }), 'queueId'],
      ['redrive: queueId constructor', op({ ...redrive, queueId: 'constructor' }), 'queueId'],
      ['redrive: queueId with a space', op({ ...redrive, queueId: 'processing ' }), 'queueId'],
      ['redrive: rate above 500', op({ ...redrive, rate: 501 }), 'rate'],
      ['redrive: rate 0', op({ ...redrive, rate: 0 }), 'rate'],
      ['redrive: rate negative', op({ ...redrive, rate: -5 }), 'rate'],
      ['redrive: rate fractional', op({ ...redrive, rate: 2.5 }), 'rate'],
      ['redrive: rate a string', op({ ...redrive, rate: '100' }), 'rate'],
      ['redrive: rate null', op({ ...redrive, rate: null }), 'rate'],
      ['redrive: rate 1e400 (Infinity)', raw('{"queueId":"processing","rate":1e400,"reason":"drain it"}'), 'rate'],
      ['redrive: messageIds empty', ids([]), 'messageIds'],
      ['redrive: messageIds a string', ids(d0), 'messageIds'],
      ['redrive: messageIds numbers', ids([1, 2]), 'messageIds.0'],
      ['redrive: message id "0xb"', ids(['0xb']), 'messageIds.0'],
      ['redrive: message id "1e1"', ids(['1e1']), 'messageIds.0'],
      ['redrive: message id " 11"', ids([' 11']), 'messageIds.0'],
      ['redrive: message id "11 "', ids(['11 ']), 'messageIds.0'],
      ['redrive: message id "+11"', ids(['+11']), 'messageIds.0'],
      ['redrive: message id "011"', ids(['011']), 'messageIds.0'],
      ['redrive: message id "-1"', ids(['-1']), 'messageIds.0'],
      ['redrive: message id "11.0"', ids(['11.0']), 'messageIds.0'],
      ['redrive: message id in Arabic-Indic digits', ids(['١١']), 'messageIds.0'],
      ['redrive: message id empty', ids(['']), 'messageIds.0'],
      ['redrive: message id 20 digits', ids(['12345678901234567890']), 'messageIds.0'],
      ['redrive: a repeated message id', ids([d0, d0]), 'repeated', 422],
      ['redrive: a repeated id among others', ids([d0, d1, d0]), 'messageIds.2', 422],
      ['redrive: message not in the DLQ', ids(['999999999']), 'messageIds'],
      ['redrive: 1001 messages', ids(Array.from({ length: 1001 }, (_, i) => String(i + 1))), 'messageIds'],
      ['redrive: reason missing', op({ queueId: 'processing' }), 'reason'],
      ['redrive: reason too short', op({ ...redrive, reason: 'x' }), 'reason'],
      ['redrive: reason blank', op({ ...redrive, reason: '     ' }), 'reason'],
      ['redrive: reason 10 kB', op({ ...redrive, reason: long(10_000) }), 'reason'],
      ['redrive: reason a number', op({ ...redrive, reason: 12345 }), 'reason'],
      ['redrive: malformed ticket', op({ ...redrive, ticket: 'see slack' }), 'ticket'],
      ['redrive: unknown field', op({ ...redrive, force: true }), '"force"'],
      [
        'redrive: __proto__ field',
        raw('{"queueId":"processing","reason":"drain it","__proto__":{"x":1}}'),
        '__proto__',
      ],
      ['redrive: constructor field', op({ ...redrive, constructor: { name: 'x' } }), 'constructor'],
      ['redrive: body not JSON', raw('{not json'), 'body', 400],
      ['redrive: body empty', raw(''), 'body', 400],
      ['redrive: body an array', op([redrive]), 'expected object'],
      ['redrive: body null', raw('null'), 'expected object'],
      ['redrive: body a string', raw('"drain"'), 'expected object'],
      [
        'redrive: form-encoded body',
        raw('queueId=processing', { contentType: 'application/x-www-form-urlencoded' }),
        'body',
      ],
      ['redrive: text/plain body', raw('drain processing', { contentType: 'text/plain' }), 'body'],
      [
        'redrive: deeply nested body',
        raw(`{"queueId":"processing","reason":"drain it","x":${'['.repeat(5000)}${']'.repeat(5000)}}`),
        '"x"',
      ],
      ['redrive: Origin with another port', op(redrive, { origin: 'http://127.0.0.1:4000' }), 'origin', 403],
      ['redrive: cross-site fetch', op(redrive, { headers: { 'sec-fetch-site': 'cross-site' } }), 'sec-fetch-site'],
      [
        'redrive: malformed Idempotency-Key',
        op(redrive, { headers: { 'idempotency-key': 'bad key!' } }),
        'Idempotency-Key',
      ],
      [
        'redrive: Idempotency-Key of 200 characters',
        op(redrive, { headers: { 'idempotency-key': long(200) } }),
        'Idempotency-Key',
      ],
      ...transportCases(redrive, 'viewer').map(([l, ...r]): Shorthand => [`redrive: ${l}`, ...r]),
    ]),
    ...casesOf(cancelRedrive, '/api/ops/redrives/x/cancel', { id: 'redrive-nope' }, [
      ['cancel redrive: unknown task', op({ reason: 'stop it now' }), 'id', 404],
      ['cancel redrive: reason missing', op({}), 'reason'],
      ['cancel redrive: unknown field', op({ reason: 'stop it now', now: true }), '"now"'],
      ['cancel redrive: as viewer', { as: 'viewer', body: { reason: 'stop it now' } }, 'role', 403],
      ['cancel redrive: missing CSRF', op({ reason: 'stop it now' }, { csrf: null }), 'x-csrf-token', 403],
    ]),
    ...casesOf(cancelRedrive, '/api/ops/redrives/x/cancel', { id: 'a b' }, [
      ['cancel redrive: id with a space', op({ reason: 'stop it now' }), 'id', 404],
    ]),
    ...casesOf(cancelRedrive, '/api/ops/redrives/x/cancel', { id: 'redrive-\u0000' }, [
      ['cancel redrive: id with a NUL', op({ reason: 'stop it now' }), 'id', 404],
    ]),
    ...casesOf(redriveStatus, '/api/ops/redrives/x', { id: 'redrive-nope' }, [
      ['redrive status: unknown task', { as: 'viewer' }, 'id', 404],
      ['redrive status: not signed in', {}, 'Sign in', 401],
    ]),
    ...casesOf(redriveStatus, '/api/ops/redrives/x', { id: 'tâche' }, [
      ['redrive status: id with non-ASCII', { as: 'viewer' }, 'id', 404],
    ]),
    ...casesOf(previewReplay, '/api/ops/replays/preview', {}, [
      ['preview: archive missing', op({ window: lastHour() }), 'archive'],
      ['preview: unknown archive', preview({ archive: 'nope' }), 'archive'],
      ['preview: archive __proto__', preview({ archive: '__proto__' }), 'archive'],
      ['preview: archive with a slash', preview({ archive: 'a/b' }), 'archive'],
      [
        'preview: window reversed',
        preview({ window: { start: lastHour().end, end: lastHour().start } }),
        'window.start',
      ],
      [
        'preview: window start not a time',
        preview({ window: { start: 'yesterday', end: lastHour().end } }),
        'window.start',
      ],
      [
        'preview: window start without offset',
        preview({ window: { start: '2026-01-01T00:00:00', end: lastHour().end } }),
        'window.start',
      ],
      ['preview: window end missing', preview({ window: { start: hoursAgo(1) } }), 'window.end'],
      ['preview: window a string', preview({ window: 'last hour' }), 'window'],
      [
        'preview: window outside retention',
        preview({ window: { start: hoursAgo(31 * 24), end: hoursAgo(30 * 24 + 1) } }),
        'window.start',
      ],
      ['preview: window in the future', preview({ window: { start: hoursAgo(1), end: hoursAgo(-2) } }), 'window.end'],
      ['preview: pattern source not a list', preview({ pattern: { source: 'x' } }), 'pattern.source'],
      [
        'preview: pattern with 11 sources',
        preview({ pattern: { source: Array.from({ length: 11 }, (_, i) => `s${i}`) } }),
        'pattern.source',
      ],
      ['preview: pattern source of 300 characters', preview({ pattern: { source: [long(300)] } }), 'pattern.source.0'],
      ['preview: pattern unknown field', preview({ pattern: { account: ['acct-1'] } }), 'account'],
      ['preview: as viewer', { as: 'viewer', body: { archive: fx.archive, window: lastHour() } }, 'role', 403],
    ]),
    ...casesOf(startReplay, '/api/ops/replays', {}, [
      ['replay: reason missing', op({ archive: fx.archive, window: lastHour() }), 'reason'],
      [
        'replay: older than the idempotency horizon',
        op({ ...replay(), window: { start: hoursAgo(72), end: hoursAgo(1) } }),
        'window.start',
      ],
      ['replay: name with spaces', op({ ...replay(), name: 'has spaces' }), 'name'],
      ['replay: name of 65 characters', op({ ...replay(), name: long(65) }), 'name'],
      ['replay: name with a slash', op({ ...replay(), name: '../x' }), 'name'],
      [
        'replay: same Idempotency-Key, other inputs',
        op(
          { ...replay(), window: { start: hoursAgo(2), end: hoursAgo(1) } },
          { headers: { 'idempotency-key': fx.usedKey } },
        ),
        'Idempotency-Key',
        422,
      ],
      ['replay: overlaps the queued replay', op(replay()), fx.replay, 409],
      [
        'replay: overlaps it with another key and a pattern',
        op(
          { ...replay(), window: later, pattern: { source: ['transaction.processing'] } },
          { headers: { 'idempotency-key': 'hostile-other-key' } },
        ),
        fx.replay,
        409,
      ],
      ['replay: as approver', { as: 'approver', body: replay() }, 'role', 403],
      ['replay: foreign Origin', op(replay(), { origin: 'https://evil.example' }), 'origin', 403],
    ]),
    ...casesOf(startRedrive, '/api/ops/redrives', {}, [
      ['redrive: class id not hex', op({ ...redrive, classIds: ['zzzzzzzzzzzzzzzz'] }), 'classIds.0'],
      ['redrive: class id upper case', op({ ...redrive, classIds: ['0123456789ABCDEF'] }), 'classIds.0'],
      ['redrive: classIds empty', op({ ...redrive, classIds: [] }), 'classIds'],
      ['redrive: a repeated class id', op({ ...redrive, classIds: [CLASS, CLASS] }), 'classIds.1', 422],
      ['redrive: unknown class', op({ ...redrive, classIds: [CLASS] }), 'classIds.0', 409],
      ['redrive: classes and messages', op({ ...redrive, classIds: [CLASS], messageIds: [d0] }), 'classIds'],
      ['redrive: includePermanent without classes', op({ ...redrive, includePermanent: true }), 'includePermanent'],
      [
        'redrive: includePermanent a string',
        op({ ...redrive, classIds: [CLASS], includePermanent: 'yes' }),
        'includePermanent',
      ],
    ]),
    ...casesOf(quarantine, '/api/ops/quarantine', {}, [
      ['quarantine: classIds missing', op({ queueId: 'processing', reason: 'poison payloads' }), 'classIds'],
      ['quarantine: classIds empty', op({ ...quarantined, classIds: [] }), 'classIds'],
      ['quarantine: class id not hex', op({ ...quarantined, classIds: ['x'] }), 'classIds.0'],
      ['quarantine: a repeated class id', op({ ...quarantined, classIds: [CLASS, CLASS] }), 'classIds.1', 422],
      ['quarantine: unknown class', op(quarantined), 'classIds.0', 409],
      ['quarantine: unknown queue', op({ ...quarantined, queueId: 'nope' }), 'queueId'],
      ['quarantine: reason missing', op({ queueId: 'processing', classIds: [CLASS] }), 'reason'],
      ['quarantine: malformed ticket', op({ ...quarantined, ticket: 'see slack' }), 'ticket'],
      ['quarantine: unknown field', op({ ...quarantined, messageIds: [d0] }), 'messageIds'],
      ...transportCases(quarantined, 'viewer').map(([l, ...r]): Shorthand => [`quarantine: ${l}`, ...r]),
      ['quarantine: as approver', { as: 'approver', body: quarantined }, 'role', 403],
    ]),
    // The triage reads that the quarantine and the class redrive rest on.
    ...casesOf(failureClasses, '/api/platform/queues/a%20b/failure-classes', { id: 'a b' }, [
      ['failure classes: queue id with a space', { as: 'viewer' }, 'id', 404],
      ['failure classes: not signed in', {}, 'Sign in', 401],
    ]),
    ...casesOf(failureClasses, '/api/platform/queues/nope/failure-classes', { id: 'nope' }, [
      ['failure classes: unknown queue', { as: 'viewer' }, 'nope', 404],
    ]),
    ...casesOf(byTransaction, '/api/platform/queues/processing/dead-letters/by-transaction', { id: 'processing' }, [
      ['search by transaction: transactionId missing', { as: 'viewer' }, 'transactionId'],
      ['search by transaction: not signed in', {}, 'Sign in', 401],
    ]),
    ...casesOf(
      byTransaction,
      `/api/platform/queues/processing/dead-letters/by-transaction?transactionId=${long(101)}`,
      { id: 'processing' },
      [['search by transaction: transactionId of 101 characters', { as: 'viewer' }, 'transactionId']],
    ),
    ...casesOf(cancelReplay, '/api/ops/replays/x/cancel', { name: 'nope' }, [
      ['cancel replay: unknown replay', op({ reason: 'stop it now' }), 'name', 404],
      ['cancel replay: reason too short', op({ reason: 'no' }), 'reason'],
      ['cancel replay: as approver', { as: 'approver', body: { reason: 'stop it now' } }, 'role', 403],
    ]),
    ...casesOf(cancelReplay, '/api/ops/replays/x/cancel', { name: 'has spaces' }, [
      ['cancel replay: name with spaces', op({ reason: 'stop it now' }), 'name', 404],
    ]),
    ...casesOf(cancelReplay, '/api/ops/replays/x/cancel', { name: long(65) }, [
      ['cancel replay: name of 65 characters', op({ reason: 'stop it now' }), 'name', 404],
    ]),
  ];
}
