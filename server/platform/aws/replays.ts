import 'server-only';
import {
  CancelReplayCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  ListReplaysCommand,
  StartReplayCommand,
  type DescribeReplayResponse,
  type StartReplayResponse,
} from '@aws-sdk/client-eventbridge';
import type { StartReplayInput } from '../inputs.schema';
import { replayStateSchema, type Archive, type Page, type Replay } from '../platform.schema';
import { PlatformError } from '../port';
import type { Ctx } from './clients';
import { call, isNotFound, mapAwsError, readAfterAcceptedWrite } from './errors';
import { decodeMeta, encodeMeta, toArchive, toReplay } from './replay-mappers';
import { withReplayOutcome } from './replay-outcomes';
import { replayName, requireArchive, requireHonouredPattern, validateReplayWindow } from './replay-window';
import { OUTCOME_LIST_BUDGET } from './task-outcomes';

/**
 * Archives and replays on EventBridge. A replay's Destination is the archive's source bus
 * (EventBridge requires it) and FilterArns are the routing rules. What a replay may ask for is
 * checked first (replay-window.ts); previews read the archive index (replay-preview.ts).
 */

async function describeArchive(ctx: Ctx) {
  return call(`DescribeArchive ${ctx.config.archive.name}`, () =>
    ctx.aws.events.send(new DescribeArchiveCommand({ ArchiveName: ctx.config.archive.name })),
  );
}

export async function listArchives(ctx: Ctx): Promise<Archive[]> {
  return [toArchive(ctx, await describeArchive(ctx))];
}

const terminal = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

/** Descriptions of finished replays never change: cache them (bounded). */
export class ReplayDescriptions {
  private readonly cache = new Map<string, string | undefined>();
  get(name: string): { description: string | undefined } | undefined {
    return this.cache.has(name) ? { description: this.cache.get(name) } : undefined;
  }
  put(name: string, description: string | undefined): void {
    this.cache.set(name, description);
    if (this.cache.size > 2000) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}

async function describeReplay(ctx: Ctx, name: string): Promise<DescribeReplayResponse> {
  return call(`DescribeReplay ${name}`, () => ctx.aws.events.send(new DescribeReplayCommand({ ReplayName: name })));
}

export async function listReplays(
  ctx: Ctx,
  descriptions: ReplayDescriptions,
  input: { cursor?: string; limit: number },
): Promise<Page<Replay>> {
  const res = await call('ListReplays', () =>
    ctx.aws.events.send(
      new ListReplaysCommand({
        EventSourceArn: ctx.config.archive.arn,
        Limit: Math.min(100, input.limit),
        NextToken: input.cursor,
      }),
    ),
  );
  const summaries = res.Replays ?? [];
  // ListReplays carries no Description (operator, pattern, total): describe the ones we have not cached.
  const items: Replay[] = [];
  for (let i = 0; i < summaries.length; i += 5) {
    const batch = summaries.slice(i, i + 5);
    items.push(
      ...(await Promise.all(
        batch.map(async (s) => {
          const name = s.ReplayName ?? '';
          let cached = descriptions.get(name);
          if (!cached) {
            try {
              const d = await describeReplay(ctx, name);
              cached = { description: d.Description };
              if (terminal.has(d.State ?? '')) descriptions.put(name, d.Description);
            } catch {
              // One replay we may not describe (named outside the roles' pattern, started by someone
              // else) or that fails to read: list it from its summary, without operator and total.
              cached = { description: undefined };
            }
          }
          return toReplay(ctx, { ...s, Description: cached.description });
        }),
      )),
    );
  }
  const budget = { left: OUTCOME_LIST_BUDGET };
  return {
    items: await Promise.all(items.map((r) => withReplayOutcome(ctx, r, budget))),
    nextCursor: res.NextToken ?? null,
  };
}

export async function getReplay(ctx: Ctx, name: string): Promise<Replay | null> {
  try {
    return await withReplayOutcome(ctx, toReplay(ctx, await describeReplay(ctx, name)), null);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

export async function startReplay(
  ctx: Ctx,
  input: StartReplayInput,
  countEvents: (() => Promise<number>) | null,
): Promise<Replay> {
  requireArchive(ctx, input.archive);
  refuseEmbeddedOnlyOptions(input);
  validateReplayWindow(ctx, input.window);
  requireHonouredPattern(input.pattern);
  const generated = input.name === undefined;
  const name = replayName(ctx, input.name);
  const archive = await describeArchive(ctx);
  if (!archive.EventSourceArn || !archive.ArchiveArn)
    throw new PlatformError('Unavailable', `archive ${ctx.config.archive.name} has no source bus`);
  const total = countEvents ? await countEvents() : null;
  const description = encodeMeta({ by: ctx.caller.id, pattern: input.pattern ?? null, total });
  const eventStart = new Date(input.window.start);
  const eventEnd = new Date(input.window.end);
  let started: StartReplayResponse;
  try {
    started = await ctx.aws.events.send(
      new StartReplayCommand({
        ReplayName: name,
        Description: description,
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: eventStart,
        EventEndTime: eventEnd,
        Destination: { Arn: archive.EventSourceArn, FilterArns: ctx.config.replayRuleArns },
      }),
    );
  } catch (error) {
    const mapped = mapAwsError(error, `StartReplay ${name}`);
    // A name we generated for THIS call can only exist already because the SDK retried a
    // StartReplay whose first answer was lost: that replay is ours, report it as started.
    if (!generated || (error as { name?: unknown }).name !== 'ResourceAlreadyExistsException') throw mapped;
    return ownReplayOrConflict(ctx, name, archive.ArchiveArn, input.window, mapped);
  }
  // The replay runs from here on: never report failure, or the operator's retry starts a second one.
  return readAfterAcceptedWrite(
    `StartReplay ${name}`,
    async () => toReplay(ctx, await describeReplay(ctx, name)),
    (why) => {
      const state = replayStateSchema.safeParse(started.State);
      return toReplay(ctx, {
        ReplayName: name,
        EventSourceArn: archive.ArchiveArn,
        State: state.success ? state.data : 'STARTING',
        StateReason:
          started.StateReason ??
          `started; reading it back failed (DescribeReplay: ${why}), refresh to see its progress`,
        EventStartTime: eventStart,
        EventEndTime: eventEnd,
        ReplayStartTime: started.ReplayStartTime ?? new Date(ctx.now()),
        Description: description,
      });
    },
  );
}

/**
 * StartReplay said our generated name exists: the replay is this request's if it replays the
 * same archive and window and its Description names the same caller; anything else stays a
 * Conflict. If it cannot be read, the error says so (the operator must look before retrying).
 */
async function ownReplayOrConflict(
  ctx: Ctx,
  name: string,
  archiveArn: string,
  window: { start: string; end: string },
  conflict: Error,
): Promise<Replay> {
  let existing: DescribeReplayResponse;
  try {
    existing = await describeReplay(ctx, name);
  } catch (error) {
    const why = error instanceof PlatformError ? error.code : error instanceof Error ? error.name : 'error';
    const unconfirmed = new PlatformError(
      'Unavailable',
      `StartReplay answered that replay ${name} already exists (probably this request, retried by the SDK) but DescribeReplay failed (${why}): look at replay ${name} before starting another`,
    );
    unconfirmed.cause = error;
    throw unconfirmed;
  }
  const ours =
    existing.EventSourceArn === archiveArn &&
    existing.EventStartTime?.getTime() === Date.parse(window.start) &&
    existing.EventEndTime?.getTime() === Date.parse(window.end) &&
    decodeMeta(existing.Description).by === ctx.caller.id;
  if (!ours) throw conflict;
  return toReplay(ctx, existing);
}

export async function cancelReplay(ctx: Ctx, name: string): Promise<Replay> {
  await call(`CancelReplay ${name}`, () => ctx.aws.events.send(new CancelReplayCommand({ ReplayName: name })));
  return toReplay(ctx, await describeReplay(ctx, name));
}

/** What an EventBridge replay cannot do, refused with the field and why (nothing is started). */
function refuseEmbeddedOnlyOptions(input: StartReplayInput): void {
  if (input.rate !== undefined)
    throw new PlatformError(
      'Invalid',
      `rate: an EventBridge replay has no rate (it sends as fast as EventBridge allows); start it without one`,
      'rate',
    );
  if (input.excludeDeadLettered)
    throw new PlatformError(
      'Invalid',
      'excludeDeadLettered: an EventBridge replay cannot skip events by transaction id (an event pattern matches fields, not ids); quarantine the dead letters first or start it without the filter',
      'excludeDeadLettered',
    );
}
