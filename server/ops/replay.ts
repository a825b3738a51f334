import 'server-only';
import { IDEMPOTENCY_TTL_HOURS } from '../../infra/platform/description';
import { replayNeedsApproval } from '../approvals/policy';
import type { Caller } from '../auth/permissions.schema';
import { replayNameSchema, type PreviewReplayInput } from '../platform/inputs.schema';
import type { Archive, Replay } from '../platform/platform.schema';
import { PlatformError } from '../platform/port';
import { CLOSED_LOOP_CALLER, watchCompletion } from './closed-loop';
import type { OpsContext, RequestMeta } from './context';
import { assertNoOverlappingReplay, replayClaim } from './duplicates';
import { runAction, runGuardedAction } from './guarded-action';
import { pathId } from './ids';
import type { ActionOutcome, ReplayBounds, ReplayPreviewResponse, ReplayRequest } from './ops.schema';

const iso = (t: number) => new Date(t).toISOString();

async function archiveAndBounds(
  ctx: OpsContext,
  caller: Caller,
  input: PreviewReplayInput,
): Promise<{ archive: Archive; bounds: ReplayBounds }> {
  const archive = (await ctx.platform.listArchives(caller)).find((a) => a.name === input.archive);
  if (!archive)
    throw new PlatformError('Invalid', `archive: unknown archive ${JSON.stringify(input.archive)}`, 'archive');
  const now = ctx.now();
  const earliest = now - archive.retentionDays * 86_400_000;
  const latest = now - archive.ingestionLagSeconds * 1000;
  const bounds = {
    earliest: iso(earliest),
    latest: iso(latest),
    idempotencyHorizon: iso(now - IDEMPOTENCY_TTL_HOURS * 3_600_000),
    ingestionLagSeconds: archive.ingestionLagSeconds,
  };
  const start = Date.parse(input.window.start);
  const end = Date.parse(input.window.end);
  if (start < earliest)
    throw new PlatformError(
      'Invalid',
      `window.start: before the archive's ${archive.retentionDays}-day retention (earliest ${bounds.earliest})`,
      'window.start',
    );
  // One minute of tolerance for the client's clock between computing a preset and sending it.
  if (end > latest + 60_000) {
    throw new PlatformError(
      'Invalid',
      `window.end: after ${bounds.latest}; the archive ingests with up to ${Math.round(archive.ingestionLagSeconds / 60)} min lag`,
      'window.end',
    );
  }
  return { archive, bounds };
}

function gate(input: PreviewReplayInput, bounds: ReplayBounds): string | null {
  return Date.parse(input.window.start) < Date.parse(bounds.idempotencyHorizon)
    ? `window.start: before ${bounds.idempotencyHorizon}: idempotency records expire after ${IDEMPOTENCY_TTL_HOURS} h, so replaying older events could apply transactions twice`
    : null;
}

export async function previewReplay(
  ctx: OpsContext,
  caller: Caller,
  input: PreviewReplayInput,
): Promise<ReplayPreviewResponse> {
  const { bounds } = await archiveAndBounds(ctx, caller, input);
  const preview = await ctx.platform.previewReplay(caller, input);
  return { preview, bounds, refusal: gate(input, bounds), needsApproval: replayNeedsApproval(ctx.policy) };
}

export function startReplay(
  ctx: OpsContext,
  caller: Caller,
  req: ReplayRequest,
  meta: RequestMeta,
): Promise<ActionOutcome<Replay>> {
  const input = {
    archive: req.archive,
    window: req.window,
    pattern: req.pattern,
    name: req.name,
    excludeDeadLettered: req.excludeDeadLettered,
    rate: req.rate,
  };
  return runGuardedAction(ctx, caller, meta, {
    action: 'replay.start',
    idempotency: { action: 'replay.start', input: req },
    reason: req.reason,
    ticket: req.ticket,
    claim: replayClaim(input),
    check: async () => {
      const { bounds } = await archiveAndBounds(ctx, caller, input);
      const refusal = gate(input, bounds);
      if (refusal) throw new PlatformError('Invalid', refusal, 'window.start');
      await assertNoOverlappingReplay(ctx, caller, input);
      return {
        inputs: input,
        target: `archive:${req.archive}`,
        approval: replayNeedsApproval(ctx.policy) ? { preview: () => approvalPreview(ctx, caller, input) } : null,
      };
    },
    act: () => ctx.platform.startReplay(caller, input),
    outcome: 'started',
    summary: (replay) => ({ name: replay.name }),
    after: (replay) => {
      watchCompletion(ctx, 'replay', replay.name, CLOSED_LOOP_CALLER);
      return replay;
    },
  });
}

async function approvalPreview(ctx: OpsContext, caller: Caller, input: PreviewReplayInput) {
  const preview = await ctx.platform.previewReplay(caller, input);
  return {
    count: preview.count,
    sampleAlreadyApplied: preview.sampleAlreadyApplied,
    sampleSize: preview.sample.length,
    classification: preview.classification ?? null,
  };
}

/** Cancels a queued or running replay; a second cancel of it is refused with 409 (404 for an unknown name). */
export async function cancelReplay(
  ctx: OpsContext,
  caller: Caller,
  rawName: string,
  reason: string,
  meta: RequestMeta,
): Promise<Replay> {
  const name = pathId(replayNameSchema, 'name', rawName);
  return runAction(ctx, caller, meta, {
    action: 'replay.cancel',
    idempotency: { action: 'replay.cancel', input: { name, reason } },
    reason,
    claim: { scope: `replay.cancel:${name}`, field: 'name', detail: `the cancel of replay ${name}` },
    check: async () => {
      const replay = await ctx.platform.getReplay(caller, name);
      if (!replay) throw new PlatformError('NotFound', `name: no replay named ${name}`, 'name');
      if (replay.state !== 'STARTING' && replay.state !== 'RUNNING')
        throw new PlatformError(
          'Conflict',
          `name: replay ${name} is ${replay.state}: only a STARTING or RUNNING replay can be cancelled`,
          'name',
        );
      return { inputs: { name } };
    },
    act: () => ctx.platform.cancelReplay(caller, name),
    outcome: 'cancelled',
    summary: (replay) => ({ eventsReplayed: replay.eventsReplayed }),
    targetOf: (replay) => `archive:${replay.archive}`,
  });
}
