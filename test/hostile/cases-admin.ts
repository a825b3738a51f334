/** Hostile requests to the local admin API (/api/admin/**) and to /api/auth/**. */
import { POST as purge } from '@/app/api/admin/dead-letters/purge/route';
import { POST as events } from '@/app/api/admin/events/route';
import { POST as fault } from '@/app/api/admin/faults/[fault]/route';
import { PUT as changeTraffic, GET as readTraffic } from '@/app/api/admin/traffic/route';
import { GET as session } from '@/app/api/auth/session/route';
import { POST as signIn } from '@/app/api/auth/sign-in/route';
import { POST as signOut } from '@/app/api/auth/sign-out/route';
import { MAX_EVENT_DEPTH } from '@/server/ops/admin';
import { casesOf, FORGED_COOKIE, long } from './cases-ops';
import { nested, type Case, type Handler, type RequestOptions } from './harness';

const admin = (body: unknown, extra: RequestOptions = {}): RequestOptions => ({ as: 'admin', body, ...extra });
const adminRaw = (raw: string): RequestOptions => ({ as: 'admin', raw });
const event = { source: 'transaction.processing', 'detail-type': 'TransactionSubmitted', detail: {} };

/** Auth routes take only the request (no route context). */
const bare =
  (handler: (request: Request) => Promise<Response>): Handler =>
  (request) =>
    handler(request);

function faultCase(name: string, label: string, body: unknown, names: string, status?: number): Case[] {
  return casesOf(fault, `/api/admin/faults/${encodeURIComponent(name)}`, { fault: name }, [
    [label, admin(body), names, status],
  ]);
}

export function adminCases(): Case[] {
  return [
    ...faultCase('__proto__', 'fault: __proto__', {}, 'fault', 404),
    ...faultCase('constructor', 'fault: constructor', { rate: 1000 }, 'fault', 404),
    ...faultCase('toString', 'fault: toString', {}, 'fault', 404),
    ...faultCase('hasOwnProperty', 'fault: hasOwnProperty', {}, 'fault', 404),
    ...faultCase('valueOf', 'fault: valueOf', {}, 'fault', 404),
    ...faultCase('nope', 'fault: unknown name', {}, 'fault', 404),
    ...faultCase('outage', 'fault outage: unknown step', { step: 'Nope' }, 'step'),
    ...faultCase('outage', 'fault outage: step a number', { step: 5 }, 'step'),
    ...faultCase('outage', 'fault outage: step missing', {}, 'step'),
    ...faultCase('outage', 'fault outage: unknown field', { step: null, all: true }, '"all"'),
    ...faultCase('poison', 'fault poison: ratio 2', { ratio: 2 }, 'ratio'),
    ...faultCase('poison', 'fault poison: ratio a string', { ratio: '0.5' }, 'ratio'),
    ...faultCase('poison', 'fault poison: ratio negative', { ratio: -0.1 }, 'ratio'),
    ...faultCase('duplicates', 'fault duplicates: body an array', [0.5], 'expected object'),
    ...faultCase('slow-consumer', 'fault slow-consumer: 60001 ms', { ms: 60_001 }, 'ms'),
    ...faultCase('slow-consumer', 'fault slow-consumer: fractional ms', { ms: 1.5 }, 'ms'),
    ...faultCase('processor-outage', 'fault processor-outage: unknown field', { x: 1 }, '"x"'),
    ...casesOf(fault, '/api/admin/faults/outage', { fault: 'outage' }, [
      ['fault: as operator', { as: 'operator', body: { step: null } }, 'role', 403],
      ['fault: missing CSRF', admin({ step: null }, { csrf: null }), 'x-csrf-token', 403],
      ['fault: foreign Origin', admin({ step: null }, { origin: 'https://evil.example' }), 'origin', 403],
      ['fault: non-loopback Host', admin({ step: null }, { headers: { host: 'ledgerline.example' } }), 'host', 403],
      ['fault: not signed in', { body: { step: null } }, 'Sign in', 401],
      ['fault: body not JSON', adminRaw('{"step":'), 'body', 400],
    ]),
    ...casesOf(changeTraffic, '/api/admin/traffic', {}, [
      ['traffic: unknown knob', admin({ turbo: true }), 'turbo'],
      ['traffic: rate negative', admin({ rate: -1 }), 'rate'],
      ['traffic: rate a string', admin({ rate: 'fast' }), 'rate'],
      ['traffic: rate 1e400 (Infinity)', adminRaw('{"rate":1e400}'), 'rate'],
      ['traffic: constructor field', adminRaw('{"constructor":{"prototype":{"rate":1}}}'), 'constructor'],
      ['traffic: as operator', { as: 'operator', method: 'PUT', body: { rate: 1 } }, 'role', 403],
      ['traffic: missing CSRF', admin({ rate: 1 }, { csrf: null }), 'x-csrf-token', 403],
    ]).map((c) => ({ ...c, options: { ...c.options, method: 'PUT' } })),
    ...casesOf(readTraffic, '/api/admin/traffic', {}, [['traffic: read as viewer', { as: 'viewer' }, 'role', 403]]),
    ...casesOf(events, '/api/admin/events', {}, [
      ['events: missing', admin({}), 'events'],
      ['events: empty', admin({ events: [] }), 'events'],
      ['events: 101 events', admin({ events: Array.from({ length: 101 }, () => event) }), 'events'],
      ['events: an event a number', admin({ events: [5] }), 'events.0'],
      ['events: unknown field', admin({ events: [event], now: true }), '"now"'],
      ['events: nested 1,000 levels', adminRaw(`{"events":[${nested(1000)}]}`), 'events.0'],
      ['events: JSON text nested 1,000 levels', admin({ events: [nested(1000)] }), 'events.0'],
      ['events: nested 200,000 levels', adminRaw(`{"events":[${nested(200_000)}]}`), ['events.0', 'body']],
      [
        'events: nested one level too deep',
        admin({ events: [JSON.parse(nested(MAX_EVENT_DEPTH + 1)) as object] }),
        'events.0',
      ],
      ['events: as approver', { as: 'approver', body: { events: [event] } }, 'role', 403],
    ]),
    ...casesOf(purge, '/api/admin/dead-letters/purge', {}, [
      ['purge: unknown queue', admin({ queue: 'nope' }), 'queue'],
      ['purge: queue __proto__', admin({ queue: '__proto__' }), 'queue'],
      ['purge: queue missing', admin({}), 'queue'],
      ['purge: unknown field', admin({ queue: 'processing', all: true }), '"all"'],
      ['purge: as viewer', { as: 'viewer', body: { queue: 'processing' } }, 'role', 403],
      ['purge: no session', { body: { queue: 'processing' } }, 'Sign in', 401],
    ]),
  ];
}

export function authCases(): Case[] {
  const creds = { email: 'viewer@ledgerline.local', password: 'x' };
  return [
    ...casesOf(bare(signIn), '/api/auth/sign-in', {}, [
      ['sign-in: foreign Origin', { body: creds, origin: 'https://evil.example' }, 'origin', 403],
      ['sign-in: no Origin', { body: creds, origin: null }, 'origin', 403],
      ['sign-in: body not JSON', { raw: '{"email":' }, 'body', 400],
      ['sign-in: email missing', { body: { password: 'x' } }, 'email'],
      ['sign-in: password missing', { body: { email: creds.email } }, 'password'],
      ['sign-in: email a number', { body: { ...creds, email: 42 } }, 'email'],
      ['sign-in: email not an address', { body: { ...creds, email: 'viewer' } }, 'email'],
      ['sign-in: password of 201 characters', { body: { ...creds, password: long(201) } }, 'password'],
    ]),
    ...casesOf(bare(signOut), '/api/auth/sign-out', {}, [
      ['sign-out: foreign Origin', { as: 'viewer', method: 'POST', origin: 'https://evil.example' }, 'origin', 403],
      ['sign-out: missing CSRF token', { as: 'viewer', method: 'POST', csrf: null }, 'x-csrf-token', 403],
      ['sign-out: no Origin', { as: 'viewer', method: 'POST', origin: null }, 'origin', 403],
    ]),
    // The session route answers 401 with `caller: null` (what the client reads), not an error body.
    ...casesOf(bare(session), '/api/auth/session', {}, [
      ['session: forged cookie', { cookie: FORGED_COOKIE }, [], 401],
    ]),
  ];
}
