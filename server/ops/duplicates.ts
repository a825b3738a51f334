import 'server-only';
/**
 * The server-side guard against duplicate actions, for every write verb and both backends:
 * - a claim per scope (server/db/action-claim-store.ts) held from the checks to the audit row, so
 *   of N identical requests in flight exactly one acts and the others get 409 naming it;
 * - checks of the platform's state for what a claim cannot see once it is released (a replay
 *   still running, a redrive task still moving, a request waiting for approval).
 * Both hold whatever the Idempotency-Key (which only makes a retry of one request safe).
 */
import type { Approval } from '../approvals/approval.schema';
import type { Caller } from '../auth/permissions.schema';
import type { PreviewReplayInput } from '../platform/inputs.schema';
import type { EventPatternFilter, Replay, TimeWindow } from '../platform/platform.schema';
import { PlatformError } from '../platform/port';
import type { OpsContext, RequestMeta } from './context';
import { activeRedriveStates } from './read/replays';

/** What a write action claims: its scope, the request field a duplicate names, and what it does. */
export interface ActionClaim {
  scope: string;
  field: string;
  detail: string;
}

/**
 * Runs `run` holding `claim`: a second request for the same scope while this one runs is refused
 * with 409 naming the first (who, which request, what). The claim is released when `run` ends,
 * after the action was audited, or failed.
 */
export async function withClaim<T>(
  ctx: OpsContext,
  caller: Caller,
  meta: RequestMeta,
  action: string,
  claim: ActionClaim,
  run: () => Promise<T>,
): Promise<T> {
  const got = await ctx.claims.claim(
    claim.scope,
    { action, actorId: caller.id, actorName: caller.name, requestId: meta.requestId, detail: claim.detail },
    ctx.now(),
  );
  if (!got.ok) {
    const h = got.holder;
    throw new PlatformError(
      'Conflict',
      `${claim.field}: ${h.detail} is already in progress (${h.action} by ${h.actorName}, request ${h.requestId}, since ${h.claimedAt}); this request would repeat it: wait for that one and check its result`,
      claim.field,
    );
  }
  try {
    return await run();
  } finally {
    await ctx.claims.release(claim.scope, got.token);
  }
}

const windowText = (w: TimeWindow) => `${w.start} to ${w.end}`;

export function windowsOverlap(a: TimeWindow, b: TimeWindow): boolean {
  return Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);
}

/** Two filters match a common event unless one dimension lists disjoint values on both sides. */
export function patternsOverlap(a: EventPatternFilter | null | undefined, b: EventPatternFilter | null | undefined) {
  const meet = (x: string[] | undefined, y: string[] | undefined) =>
    !x?.length || !y?.length || x.some((v) => y.includes(v));
  return meet(a?.source, b?.source) && meet(a?.detailType, b?.detailType);
}

const queuedOrRunning: readonly Replay['state'][] = ['STARTING', 'RUNNING'];
/** Pages of the replay list read to find the active ones (newest first locally; bounded for aws). */
const MAX_REPLAY_PAGES = 10;

async function activeReplays(ctx: OpsContext, caller: Caller, archive: string): Promise<Replay[]> {
  const active: Replay[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_REPLAY_PAGES; page++) {
    const res = await ctx.platform.listReplays(caller, { limit: 100, cursor });
    active.push(...res.items.filter((r) => r.archive === archive && queuedOrRunning.includes(r.state)));
    if (!res.nextCursor) break;
    cursor = res.nextCursor;
  }
  return active;
}

async function waitingReplay(ctx: OpsContext, input: PreviewReplayInput): Promise<Approval | undefined> {
  return (await ctx.approvals.waiting(ctx.now())).find((a) => {
    if (a.action !== 'replay.start' || a.target !== `archive:${input.archive}`) return false;
    try {
      const other = JSON.parse(a.input) as PreviewReplayInput;
      return windowsOverlap(other.window, input.window) && patternsOverlap(other.pattern, input.pattern);
    } catch {
      return false;
    }
  });
}

/**
 * Refuses a replay whose window and pattern overlap a queued (STARTING) or RUNNING replay of the
 * same archive, or (unless `waiting` is false: an approved request being run) one waiting for
 * approval: its events would be sent to the bus twice.
 */
export async function assertNoOverlappingReplay(
  ctx: OpsContext,
  caller: Caller,
  input: PreviewReplayInput,
  { waiting: checkWaiting = true }: { waiting?: boolean } = {},
): Promise<void> {
  const running = (await activeReplays(ctx, caller, input.archive)).find(
    (r) => windowsOverlap(r.window, input.window) && patternsOverlap(r.pattern, input.pattern),
  );
  if (running) {
    throw new PlatformError(
      'Conflict',
      `window: overlaps replay ${running.name} (${running.state}, ${windowText(running.window)}) of archive ${input.archive}: its events would be replayed twice; wait for it to end or cancel it`,
      'window',
    );
  }
  const waiting = checkWaiting ? await waitingReplay(ctx, input) : undefined;
  if (waiting) {
    const other = JSON.parse(waiting.input) as PreviewReplayInput;
    throw new PlatformError(
      'Conflict',
      `window: overlaps the replay request ${waiting.id} (${windowText(other.window)}) of archive ${input.archive}, waiting for approval since ${waiting.requestedAt}: approve or reject that one first`,
      'window',
    );
  }
}

/** Refuses a redrive of a DLQ while a redrive task of it is still running (one active per DLQ). */
export async function assertNoActiveRedrive(ctx: OpsContext, caller: Caller, queueId: string): Promise<void> {
  const tasks = await ctx.platform.listRedrives(caller, { queueId, limit: 10 });
  const active = tasks.items.find((t) => t.queueId === queueId && activeRedriveStates.includes(t.status));
  if (active) {
    throw new PlatformError(
      'Conflict',
      `queueId: redrive ${active.id} of the ${queueId} DLQ is ${active.status} (${active.moved} of ${active.total} moved, started ${active.startedAt}); wait for it to end or cancel it`,
      'queueId',
    );
  }
}

/** The replay claim's scope and words: one replay start per archive at a time. */
export function replayClaim(input: PreviewReplayInput): ActionClaim {
  return {
    scope: `replay.start:archive:${input.archive}`,
    field: 'window',
    detail: `the start of a replay of archive ${input.archive} over ${windowText(input.window)}`,
  };
}
