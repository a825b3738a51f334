import type { ReactElement } from 'react';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as decide } from '@/app/api/approvals/[id]/decision/route';
import { renderStatic } from '@/components/testing/render-static';
import { dlqOf } from '@/infra/embedded/db';
import { Engine } from '@/infra/embedded/engine';
import type { Approval } from '@/server/approvals/approval.schema';
import type { Caller } from '@/server/auth/permissions.schema';
import { routeContext, seededCaller, sessionCookieFor, testRequest } from '@/server/auth/testing';
import { startRedrive } from '@/server/ops/redrive';
import { getOpsContext } from '@/server/ops/server-context';
import { createLocalPlatform } from '@/server/platform/local/adapter';
import ApprovalsPage from './page';

const state = await vi.hoisted(async () => ({
  dir: (await import('@/server/platform/local/test-env')).localConsoleEnv('approvals-page'),
  headers: new Headers(),
}));

// A server component reads the request through next/headers, which only exists inside a Next
// request: hand it the signed-in user's real session cookie.
vi.mock('next/headers', () => ({ headers: () => Promise.resolve(state.headers) }));

const operator = seededCaller('operator');
const approver = seededCaller('approver');
let engine: Engine;

/** The page as `caller` sees it (with the client providers the console layout gives it). */
async function renderPageAs(caller: Caller, searchParams: Record<string, string> = {}): Promise<string> {
  state.headers = new Headers({ cookie: (await sessionCookieFor(caller)).cookie });
  const page = (await ApprovalsPage({ searchParams: Promise.resolve(searchParams) })) as ReactElement;
  return renderStatic(page);
}

/** The markup of one request's list item. */
function itemOf(html: string, id: string): string {
  const start = html.indexOf(`aria-label="Approval ${id}"`);
  if (start < 0) throw new Error(`approval ${id} is not on the page`);
  const end = html.indexOf('</li>', start);
  return html.slice(start, end);
}

function addDeadLetters(n: number) {
  const db = createLocalPlatform({ dataDir: state.dir }).db;
  const now = Date.now();
  const insert = db.prepare(
    "INSERT INTO messages (queue, body, attributes, sent_at, enqueued_at, visible_at, receive_count, last_error, source_queue, dead, ingest_at) VALUES (?, '{}', '{}', ?, ?, ?, 4, 'downstream timeout', 'processing', 1, ?)",
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(dlqOf('processing'), now, now, now, now);
    db.prepare(
      'INSERT INTO queue_counts (queue, total) VALUES (?, ?) ON CONFLICT(queue) DO UPDATE SET total = total + excluded.total',
    ).run(dlqOf('processing'), n);
  })();
}

/** An operator asks to redrive the whole processing DLQ (above the approval threshold). */
async function requestRedriveOfAll(ticket: string): Promise<string> {
  const requested = await startRedrive(
    await getOpsContext(),
    operator,
    { queueId: 'processing', reason: 'drain after the downstream fix', ticket },
    { requestId: `req-${ticket}`, idempotencyKey: null },
  );
  if (requested.status !== 'pending_approval') throw new Error('expected the redrive to wait for an approval');
  return requested.approvalId;
}

async function approve(id: string): Promise<{ status: number; body: Approval }> {
  const response = await decide(
    await testRequest(`/api/approvals/${id}/decision`, {
      caller: approver,
      body: { decision: 'approve' },
      idempotencyKey: `approve-${id}`,
    }),
    routeContext({ id }),
  );
  return { status: response.status, body: (await response.json()) as Approval };
}

beforeAll(async () => {
  engine = new Engine({ dataDir: state.dir, seed: true, traffic: { rate: 0 }, log: () => undefined });
  await engine.start();
  engine.close(); // nothing moves messages on its own during the test
}, 120_000);

afterAll(() => engine.close());

describe('an approved action that the server then refuses to run', () => {
  it('shows the approver, and everyone on /approvals, why it failed, after the list refreshes', async () => {
    addDeadLetters(1_001); // above the 1,000-message approval threshold
    const id = await requestRedriveOfAll('INC-4242');
    addDeadLetters(25); // the DLQ keeps filling while the request waits

    const { status, body } = await approve(id);
    // The decision itself succeeds (200); the action's failure is the request's outcome.
    expect({ status, outcome: body.status }).toEqual({ status: 200, outcome: 'FAILED' });
    const reason = (JSON.parse(body.result ?? '{}') as { error?: string }).error ?? '';
    expect(reason).toMatch(/DLQ now holds \d+ messages but \d+ were approved/);

    for (const viewer of [approver, operator]) {
      const item = itemOf(await renderPageAs(viewer), id);
      expect(item).toContain('FAILED');
      expect(item).toMatch(/role="alert"[^>]*><span[^>]*>Approved, but it did not run: <\/span>/);
      expect(item).toContain(reason);
      expect(item).toContain('(Conflict)');
    }
  });
});

describe('an approved action that ran', () => {
  it('links the request to what it started', async () => {
    const id = await requestRedriveOfAll('INC-4244'); // the DLQ holds exactly what is approved now
    const { body } = await approve(id);
    expect(body.status).toBe('EXECUTED');
    const task = JSON.parse(body.result ?? '{}') as { id: string };

    const item = itemOf(await renderPageAs(approver), id);
    expect(item).toContain('EXECUTED');
    expect(item).toMatch(new RegExp(`Started: <a[^>]*href="/replays\\?tab=redrives"[^>]*>Redrive ${task.id}</a>`));
    expect(item).not.toContain('role="alert"');
  });
});

describe('the approvals list during an incident', () => {
  it('lists every request still waiting for a decision, soonest expiry first, even after 50 newer ones', async () => {
    const ctx = await getOpsContext();
    const t0 = Date.now();
    // An outage: 60 failed sagas, each compensation filed for approval, within 20 minutes (TTL 60).
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const saga = `saga-outage-${i}`;
      ids.push(
        (
          await ctx.approvals.create(
            {
              action: 'saga.compensate',
              target: `saga:${saga}`,
              input: { sagaId: saga, mode: 'compensate', reason: 'downstream outage' },
              preview: null,
              reason: 'downstream outage',
              ticket: 'INC-4243',
              requester: operator,
              ttlMinutes: 60,
            },
            t0 - (60 - i) * 20_000,
          )
        ).id,
      );
    }
    const html = await renderPageAs(approver);
    const positions = ids.map((id) => html.indexOf(`aria-label="Approval ${id}"`));
    // All 60 shown, the oldest (first to expire) on top, each with the approver's buttons.
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(html).toContain('Waiting for a decision (60)');
    expect(itemOf(html, ids[0]!)).toMatch(/<button[^>]*>Approve<\/button>/);
  });

  it('lists settled requests only after every waiting one', async () => {
    const html = await renderPageAs(approver);
    const lastPending = html.lastIndexOf('PENDING</span>');
    const firstSettled = Math.min(
      ...['FAILED', 'EXECUTED'].map((s) => html.indexOf(`${s}</span>`)).filter((p) => p >= 0),
    );
    expect(lastPending).toBeGreaterThan(0);
    expect(firstSettled).toBeGreaterThan(lastPending);
  });

  it('keeps itself current without a reload, with the console’s pause switch', async () => {
    const html = await renderPageAs(approver);
    expect(html).toContain('data-testid="updated-ago"');
    expect(html).toMatch(/<button[^>]*aria-pressed="false"[^>]*>Pause live updates<\/button>/);
  });
});
