import 'server-only';
import { detailTypes, eventSources, IDEMPOTENCY_TTL_HOURS, namesFor } from '../../../infra/platform/description';
import { ARCHIVE_INGESTION_LAG_SECONDS } from '../../../infra/platform/limits';
import type { EventPatternFilter } from '../platform.schema';
import { PlatformError } from '../port';
import { iso, type Ctx } from './clients';

/**
 * What a replay may ask for, checked before any AWS call, and the name a replay gets (always under
 * the stage prefix). Pure: no AWS calls.
 * - Archive ingestion lags up to ~10 minutes: a window must end before now − lag.
 * - A window starting before the idempotency horizon (IDEMPOTENCY_TTL_HOURS) is refused: the
 *   processor could apply its events a second time.
 * - FilterArns (the routing rules) is the ONLY filter EventBridge applies to a replay, so a
 *   pattern that narrows the archived sources/detail types cannot be honoured and is refused.
 */

export function validateReplayWindow(ctx: Pick<Ctx, 'now'>, window: { start: string; end: string }): void {
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  if (!(start < end)) throw new PlatformError('Invalid', 'window.start must be before window.end', 'window.start');
  const latest = ctx.now() - ARCHIVE_INGESTION_LAG_SECONDS * 1000;
  if (end > latest) {
    throw new PlatformError(
      'Invalid',
      `window.end must be at or before ${iso(latest)}: the archive ingests events up to ${ARCHIVE_INGESTION_LAG_SECONDS / 60} minutes late`,
      'window.end',
    );
  }
  const horizon = ctx.now() - IDEMPOTENCY_TTL_HOURS * 3_600_000;
  if (start < horizon) {
    throw new PlatformError(
      'Invalid',
      `window.start must be at or after ${iso(horizon)}: idempotency records expire after ${IDEMPOTENCY_TTL_HOURS} h, so older events could be applied twice`,
      'window.start',
    );
  }
}

/** This adapter serves the stack's one archive. */
export function requireArchive(ctx: Pick<Ctx, 'config'>, name: string): void {
  if (name !== ctx.config.archive.name)
    throw new PlatformError(
      'NotFound',
      `unknown archive "${name}" (this stack has ${ctx.config.archive.name})`,
      'archive',
    );
}

function narrows(pattern: EventPatternFilter | undefined): string | null {
  if (!pattern) return null;
  if (pattern.source && !eventSources.every((s) => pattern.source?.includes(s))) return 'source';
  if (pattern.detailType && !detailTypes.every((d) => pattern.detailType?.includes(d))) return 'detailType';
  return null;
}

/** Refuses a pattern EventBridge cannot honour (it narrows the archived sources or detail types). */
export function requireHonouredPattern(pattern: EventPatternFilter | undefined): void {
  const narrowed = narrows(pattern);
  if (narrowed) {
    throw new PlatformError(
      'Invalid',
      `EventBridge replays filter only by rule (FilterArns), not by event pattern: pattern.${narrowed} must include every archived value (${(narrowed === 'source' ? eventSources : detailTypes).join(', ')}) or be omitted`,
      `pattern.${narrowed}`,
    );
  }
}

/** EventBridge replay names: [.\-_A-Za-z0-9]+, at most 64 characters. */
const REPLAY_NAME_MAX = 64;

/**
 * The name of a replay: always under the stage prefix (`ledgerline-<stage>-`), because the
 * operator roles may start, describe and cancel only `replay/ledgerline-<stage>-*`
 * (infra/lib/constructs/platform-arns.ts). A name the request gives is prefixed unless it already
 * is; one the request does not give is `<prefix>-replay-<yyyymmddThhmmss>-<8 random characters>`.
 */
export function replayName(ctx: Pick<Ctx, 'config' | 'now' | 'randomId'>, requested: string | undefined): string {
  const prefix = `${namesFor(ctx.config.stage).prefix}-`;
  if (requested === undefined)
    return `${prefix}replay-${iso(ctx.now()).replace(/[-:]/g, '').slice(0, 15)}-${ctx.randomId().slice(0, 8)}`;
  const name = requested.startsWith(prefix) ? requested : `${prefix}${requested}`;
  if (name.length > REPLAY_NAME_MAX)
    throw new PlatformError(
      'Invalid',
      `name must be at most ${REPLAY_NAME_MAX - prefix.length} characters after the stage prefix ${prefix} (EventBridge allows ${REPLAY_NAME_MAX})`,
      'name',
    );
  return name;
}
