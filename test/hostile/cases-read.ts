/** Hostile requests to the read routes: /api/platform/**, /api/audit/**. */
import { GET as auditExport } from '@/app/api/audit/export/route';
import { GET as audit } from '@/app/api/audit/route';
import { GET as alarm } from '@/app/api/platform/alarms/[name]/route';
import { GET as alarms } from '@/app/api/platform/alarms/route';
import { GET as archives } from '@/app/api/platform/archives/route';
import { GET as incident } from '@/app/api/platform/incident/[alarm]/route';
import { GET as metrics } from '@/app/api/platform/metrics/route';
import { GET as overview } from '@/app/api/platform/overview/route';
import { GET as deadLetters } from '@/app/api/platform/queues/[id]/dead-letters/route';
import { GET as queue } from '@/app/api/platform/queues/[id]/route';
import { GET as series } from '@/app/api/platform/queues/[id]/series/route';
import { GET as queues } from '@/app/api/platform/queues/route';
import { GET as redrive } from '@/app/api/platform/redrives/[id]/route';
import { GET as redrives } from '@/app/api/platform/redrives/route';
import { GET as replay } from '@/app/api/platform/replays/[name]/route';
import { GET as replays } from '@/app/api/platform/replays/route';
import { GET as saga } from '@/app/api/platform/sagas/[id]/route';
import { GET as sagas } from '@/app/api/platform/sagas/route';
import { casesOf, FORGED_COOKIE, long } from './cases-ops';
import type { Case, Handler, RequestOptions } from './harness';

const viewer: RequestOptions = { as: 'viewer' };
const GARBAGE_CURSOR = 'bm90IGEgY3Vyc29y';

/** One query-string case: `query` appended to `path`. */
function q(handler: Handler, path: string, label: string, query: string, names: string, params = {}): Case[] {
  return casesOf(handler, `${path}?${query}`, params, [[label, viewer, names]]);
}

export function readCases(): Case[] {
  const inQueue = { id: 'processing' };
  return [
    ...q(alarms, '/api/platform/alarms', 'alarms: unknown state', 'state=RED', 'state'),
    ...casesOf(alarms, '/api/platform/alarms', {}, [
      ['alarms: forged session', { cookie: FORGED_COOKIE }, 'Sign in', 401],
    ]),
    ...q(alarm, '/api/platform/alarms/x', 'alarm: aroundMinutes 0', 'aroundMinutes=0', 'aroundMinutes', { name: 'x' }),
    ...q(alarm, '/api/platform/alarms/x', 'alarm: aroundMinutes text', 'aroundMinutes=soon', 'aroundMinutes', {
      name: 'x',
    }),
    ...casesOf(alarm, '/api/platform/alarms/x', { name: 'no-such-alarm' }, [
      ['alarm: unknown name', viewer, 'name', 404],
    ]),
    ...casesOf(alarm, '/api/platform/alarms/x', { name: '__proto__' }, [
      ['alarm: name __proto__', viewer, 'name', 404],
    ]),
    ...casesOf(archives, '/api/platform/archives', {}, [
      ['archives: not signed in', {}, 'Sign in', 401],
      ['archives: forged session', { cookie: FORGED_COOKIE }, 'Sign in', 401],
    ]),
    ...casesOf(incident, '/api/platform/incident/x', { alarm: 'no-such-alarm' }, [
      ['incident: unknown alarm', viewer, 'alarm', 404],
    ]),
    ...casesOf(incident, '/api/platform/incident/x', { alarm: 'constructor' }, [
      ['incident: alarm constructor', viewer, 'alarm', 404],
    ]),
    ...q(metrics, '/api/platform/metrics', 'metrics: none asked', 'range=1h', 'metrics'),
    ...q(
      metrics,
      '/api/platform/metrics',
      'metrics: 21 ids',
      Array.from({ length: 21 }, (_, i) => `metrics=m${i}`).join('&'),
      'metrics',
    ),
    ...q(metrics, '/api/platform/metrics', 'metrics: unknown id', 'metrics=__proto__', 'metrics'),
    ...q(
      metrics,
      '/api/platform/metrics',
      'metrics: period 10 s',
      'metrics=events.in&periodSeconds=10',
      'periodSeconds',
    ),
    ...q(metrics, '/api/platform/metrics', 'metrics: unknown range', 'metrics=events.in&range=forever', 'range'),
    ...q(
      metrics,
      '/api/platform/metrics',
      'metrics: custom without to',
      `metrics=events.in&range=custom&from=${new Date().toISOString()}`,
      'from',
    ),
    ...q(overview, '/api/platform/overview', 'overview: unknown range', 'range=1y', 'range'),
    ...q(
      overview,
      '/api/platform/overview',
      'overview: custom reversed',
      'range=custom&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
      'from',
    ),
    ...q(
      overview,
      '/api/platform/overview',
      'overview: from not a time',
      'range=custom&from=yesterday&to=2026-01-01T00:00:00Z',
      'from',
    ),
    ...casesOf(queues, '/api/platform/queues', {}, [['queues: not signed in', {}, 'Sign in', 401]]),
    ...casesOf(queue, '/api/platform/queues/x', { id: 'nope' }, [['queue: unknown id', viewer, 'id', 404]]),
    ...casesOf(queue, '/api/platform/queues/x', { id: '__proto__' }, [['queue: id __proto__', viewer, 'id', 404]]),
    ...q(series, '/api/platform/queues/x/series', 'series: unknown range', 'range=7d', 'range', inQueue),
    ...casesOf(series, '/api/platform/queues/x/series', { id: 'nope' }, [['series: unknown queue', viewer, 'id', 404]]),
    ...q(
      deadLetters,
      '/api/platform/queues/x/dead-letters',
      'dead letters: search of 201 characters',
      `search=${long(201)}`,
      'search',
      inQueue,
    ),
    ...q(deadLetters, '/api/platform/queues/x/dead-letters', 'dead letters: limit 0', 'limit=0', 'limit', inQueue),
    ...q(
      deadLetters,
      '/api/platform/queues/x/dead-letters',
      'dead letters: forged cursor',
      `cursor=${GARBAGE_CURSOR}`,
      'cursor',
      inQueue,
    ),
    ...q(redrives, '/api/platform/redrives', 'redrives: limit 500', 'limit=500', 'limit'),
    ...q(redrives, '/api/platform/redrives', 'redrives: forged cursor', `cursor=${GARBAGE_CURSOR}`, 'cursor'),
    ...q(redrives, '/api/platform/redrives', 'redrives: queueId with a space', 'queueId=a%20b', 'queueId'),
    ...casesOf(redrive, '/api/platform/redrives/x', { id: 'redrive-nope' }, [
      ['redrive: unknown id', viewer, 'id', 404],
    ]),
    ...casesOf(redrive, '/api/platform/redrives/x', { id: 'a b' }, [['redrive: id with a space', viewer, 'id', 404]]),
    ...q(replays, '/api/platform/replays', 'replays: limit -1', 'limit=-1', 'limit'),
    ...q(replays, '/api/platform/replays', 'replays: forged cursor', `cursor=${GARBAGE_CURSOR}`, 'cursor'),
    ...casesOf(replay, '/api/platform/replays/x', { name: 'nope' }, [['replay: unknown name', viewer, 'name', 404]]),
    ...casesOf(replay, '/api/platform/replays/x', { name: 'a;b' }, [
      ['replay: name with a semicolon', viewer, 'name', 404],
    ]),
    ...q(sagas, '/api/platform/sagas', 'sagas: unknown status', 'status=DONE', 'status'),
    ...q(sagas, '/api/platform/sagas', 'sagas: from not a time', 'from=yesterday', 'from'),
    ...q(sagas, '/api/platform/sagas', 'sagas: limit 201', 'limit=201', 'limit'),
    ...q(
      sagas,
      '/api/platform/sagas',
      'sagas: transaction id of 101 characters',
      `transactionId=${long(101)}`,
      'transactionId',
    ),
    ...q(sagas, '/api/platform/sagas', 'sagas: unknown sort', 'sort=amount', 'sort'),
    ...q(sagas, '/api/platform/sagas', 'sagas: forged cursor', `cursor=${GARBAGE_CURSOR}`, 'cursor'),
    ...q(sagas, '/api/platform/sagas', 'sagas: limit given twice', 'limit=5&limit=6', 'limit'),
    ...casesOf(saga, '/api/platform/sagas/x', { id: 'saga-nope' }, [['saga: unknown id', viewer, 'id', 404]]),
    ...casesOf(saga, '/api/platform/sagas/x', { id: 'a\u202eb' }, [
      ['saga: id with a bidi override', viewer, 'id', 404],
    ]),
    ...q(audit, '/api/audit', 'audit: from not a time', 'from=yesterday', 'from'),
    ...q(audit, '/api/audit', 'audit: from after to', 'from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'),
    ...q(audit, '/api/audit', 'audit: unknown action', 'action=drop.table', 'action'),
    ...q(audit, '/api/audit', 'audit: limit 0', 'limit=0', 'limit'),
    ...q(audit, '/api/audit', 'audit: cursor negative', 'cursor=-1', 'cursor'),
    ...q(audit, '/api/audit', 'audit: q of 201 characters', `q=${long(201)}`, 'q'),
    ...q(audit, '/api/audit', 'audit: actor of 201 characters', `actor=${long(201)}`, 'actor'),
    ...casesOf(audit, '/api/audit', {}, [['audit: not signed in', {}, 'Sign in', 401]]),
    ...casesOf(auditExport, '/api/audit/export?format=xml', {}, [
      ['audit export: unknown format', { as: 'approver' }, 'format'],
    ]),
    ...casesOf(auditExport, '/api/audit/export', {}, [['audit export: as viewer', viewer, 'role', 403]]),
  ];
}
