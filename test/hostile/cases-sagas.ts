/** Hostile requests to /api/ops/sagas/** and /api/approvals/**. */
import { POST as decide } from '@/app/api/approvals/[id]/decision/route';
import { GET as getApproval } from '@/app/api/approvals/[id]/route';
import { GET as listApprovals } from '@/app/api/approvals/route';
import { POST as previewCompensation } from '@/app/api/ops/sagas/[id]/compensation/preview/route';
import { POST as compensate, GET as reconciliation } from '@/app/api/ops/sagas/[id]/compensation/route';
import { GET as interventions } from '@/app/api/sagas/[id]/interventions/route';
import { casesOf, long, op } from './cases-ops';
import type { Fixtures } from './fixtures';
import type { Case, RequestOptions } from './harness';

const UNKNOWN_APPROVAL = 'apr-00000000-0000-4000-8000-000000000000';
const approver = (body: unknown, extra: RequestOptions = {}): RequestOptions => ({ as: 'approver', body, ...extra });

export function sagaCases(fx: Fixtures): Case[] {
  const saga = { id: fx.saga };
  const ask = { mode: 'compensate', reason: 'customer refund', ticket: 'INC-9', reverseCompleted: true };
  return [
    ...casesOf(previewCompensation, '/api/ops/sagas/x/compensation/preview', { id: 'saga-nope' }, [
      ['compensation preview: unknown saga', op({ mode: 'compensate' }), 'sagaId', 404],
    ]),
    ...casesOf(previewCompensation, '/api/ops/sagas/x/compensation/preview', saga, [
      ['compensation preview: unknown mode', op({ mode: 'undo' }), 'mode'],
      ['compensation preview: mode a number', op({ mode: 5 }), 'mode'],
      ['compensation preview: unknown field', op({ mode: 'compensate', dryRun: false }), '"dryRun"'],
      ['compensation preview: as viewer', { as: 'viewer', body: { mode: 'compensate' } }, 'role', 403],
    ]),
    ...casesOf(previewCompensation, '/api/ops/sagas/x/compensation/preview', { id: 'tx/../../etc' }, [
      ['compensation preview: saga id with slashes', op({ mode: 'compensate' }), 'sagaId', 404],
    ]),
    ...casesOf(compensate, '/api/ops/sagas/x/compensation', saga, [
      ['compensate: reason missing', op({ mode: 'compensate', ticket: 'INC-9' }), 'reason'],
      ['compensate: ticket missing', op({ mode: 'compensate', reason: 'customer refund' }), 'ticket'],
      ['compensate: ticket with a newline', op({ ...ask, ticket: 'INC-9\nX' }), 'ticket'],
      ['compensate: resume a succeeded saga', op({ ...ask, mode: 'resume' }), 'sagaId', 409],
      [
        'compensate: a succeeded saga without confirming the reversal',
        op({ ...ask, reverseCompleted: undefined }),
        'reverseCompleted',
      ],
      ['compensate: repeats the request waiting for approval', op(ask), fx.pendingByAdmin, 409],
      [
        'compensate: the same with another Idempotency-Key',
        op(ask, { headers: { 'idempotency-key': 'hostile-k-2' } }),
        fx.pendingByAdmin,
        409,
      ],
      ['compensate: as viewer', { as: 'viewer', body: ask }, 'role', 403],
      ['compensate: missing CSRF', op(ask, { csrf: null }), 'x-csrf-token', 403],
    ]),
    ...casesOf(compensate, '/api/ops/sagas/x/compensation', { id: 'saga-nope' }, [
      ['compensate: unknown saga', op(ask), 'sagaId', 404],
    ]),
    ...casesOf(compensate, '/api/ops/sagas/x/compensation', { id: long(101) }, [
      ['compensate: saga id of 101 characters', op(ask), 'sagaId', 404],
    ]),
    ...casesOf(reconciliation, '/api/ops/sagas/x/compensation', { id: 'saga-nope' }, [
      ['reconciliation: unknown saga', { as: 'viewer' }, 'sagaId', 404],
      ['reconciliation: not signed in', {}, 'Sign in', 401],
    ]),
    ...casesOf(reconciliation, '/api/ops/sagas/x/compensation', { id: 'a saga' }, [
      ['reconciliation: saga id with a space', { as: 'viewer' }, 'sagaId', 404],
    ]),
    ...casesOf(interventions, '/api/sagas/x/interventions', { id: 'a saga' }, [
      ['interventions: saga id with a space', { as: 'viewer' }, 'id', 404],
      ['interventions: not signed in', {}, 'Sign in', 401],
    ]),
    ...casesOf(decide, '/api/approvals/x/decision', { id: fx.pendingByAdmin }, [
      ['decision: self-approval', { as: 'admin', body: { decision: 'approve' } }, 'approvalId', 403],
      ['decision: unknown decision', approver({ decision: 'maybe' }), 'decision'],
      ['decision: decision missing', approver({}), 'decision'],
      ['decision: reject without a comment', approver({ decision: 'reject' }), 'comment'],
      ['decision: comment of 10 kB', approver({ decision: 'reject', comment: long(10_000) }), 'comment'],
      ['decision: unknown field', approver({ decision: 'approve', as: 'admin' }), '"as"'],
      ['decision: as operator', op({ decision: 'approve' }), 'role', 403],
      ['decision: missing CSRF token', approver({ decision: 'approve' }, { csrf: null }), 'x-csrf-token', 403],
      [
        'decision: foreign Origin',
        approver({ decision: 'approve' }, { origin: 'https://evil.example' }),
        'origin',
        403,
      ],
      ['decision: body not JSON', { as: 'approver', raw: 'approve' }, 'body', 400],
    ]),
    ...casesOf(decide, '/api/approvals/x/decision', { id: UNKNOWN_APPROVAL }, [
      ['decision: unknown request', approver({ decision: 'approve' }), 'approvalId', 404],
    ]),
    ...casesOf(decide, '/api/approvals/x/decision', { id: 'apr-nope' }, [
      ['decision: malformed id', approver({ decision: 'approve' }), 'approvalId', 404],
    ]),
    ...casesOf(decide, '/api/approvals/x/decision', { id: '__proto__' }, [
      ['decision: id __proto__', approver({ decision: 'approve' }), 'approvalId', 404],
    ]),
    ...casesOf(decide, '/api/approvals/x/decision', { id: fx.expired }, [
      ['decision: expired request', approver({ decision: 'approve' }), 'approvalId', 409],
    ]),
    ...casesOf(getApproval, '/api/approvals/x', { id: UNKNOWN_APPROVAL }, [
      ['approval: unknown id', { as: 'viewer' }, 'approvalId', 404],
      ['approval: not signed in', {}, 'Sign in', 401],
    ]),
    ...casesOf(getApproval, '/api/approvals/x', { id: UNKNOWN_APPROVAL.toUpperCase() }, [
      ['approval: id in upper case', { as: 'viewer' }, 'approvalId', 404],
    ]),
    ...casesOf(getApproval, '/api/approvals/x', { id: 'constructor' }, [
      ['approval: id constructor', { as: 'viewer' }, 'approvalId', 404],
    ]),
    ...casesOf(listApprovals, '/api/approvals?status=bogus', {}, [
      ['approvals: unknown status', { as: 'viewer' }, 'status'],
    ]),
    ...casesOf(listApprovals, '/api/approvals?limit=0', {}, [['approvals: limit 0', { as: 'viewer' }, 'limit']]),
    ...casesOf(listApprovals, '/api/approvals?limit=1000', {}, [['approvals: limit 1000', { as: 'viewer' }, 'limit']]),
    ...casesOf(listApprovals, '/api/approvals?limit=abc', {}, [
      ['approvals: limit not a number', { as: 'viewer' }, 'limit'],
    ]),
    ...casesOf(listApprovals, '/api/approvals', {}, [['approvals: not signed in', {}, 'Sign in', 401]]),
  ];
}
