import 'server-only';
import type {
  DescribeReplayResponse,
  ListReplaysRequest,
  ReplayState,
  StartReplayRequest,
} from '@aws-sdk/client-eventbridge';
import { ARCHIVE_RETENTION_DAYS } from '../../../infra/platform/description';
import { MAX_ACTIVE_REPLAYS } from '../../../infra/platform/limits';
import type { AwsPlatformConfig } from './config';
import { awsError, pageToken, readPageToken, type FakeClock } from './contract-fake-clock';

/**
 * EventBridge for the contract harness: the stage's bus and archive, and replays that move through
 * their states on the world's clock (STARTING, RUNNING with EventLastReplayedTime advancing over
 * 1-minute slices, COMPLETED; CancelReplay: CANCELLING, then CANCELLED), names unique per region,
 * ≤ 10 active, Destination the archive's source bus.
 */

/** World time a replay spends per replayed minute of events. */
const MS_PER_SLICE = 100;
const STARTING_MS = 1_000;
const CANCEL_MS = 1_000;

interface FakeReplay {
  name: string;
  description: string | undefined;
  start: Date;
  end: Date;
  startedAt: number;
  cancelledAt: number | null;
  destination: StartReplayRequest['Destination'];
}

export class FakeEvents {
  private readonly replays: FakeReplay[] = [];
  private readonly createdAt: Date;

  constructor(
    private readonly clock: FakeClock,
    private readonly config: AwsPlatformConfig,
    private readonly archivedEvents: number,
  ) {
    this.createdAt = new Date(clock.now() - 90 * 86_400_000);
  }

  /** A replay started before the harness (finished), as another console or the AWS console left it. */
  seedReplay(name: string, description: string | undefined, startedAgoMs: number): void {
    const startedAt = this.clock.now() - startedAgoMs;
    const end = new Date(startedAt - 20 * 60_000);
    this.replays.unshift({
      name,
      description,
      start: new Date(end.getTime() - 30 * 60_000),
      end,
      startedAt,
      cancelledAt: null,
      destination: { Arn: this.config.bus.arn, FilterArns: this.config.replayRuleArns },
    });
  }

  private state(r: FakeReplay): Pick<DescribeReplayResponse, 'State' | 'EventLastReplayedTime' | 'ReplayEndTime'> {
    const now = this.clock.now();
    const slices = Math.ceil((r.end.getTime() - r.start.getTime()) / 60_000);
    const doneAt = r.startedAt + STARTING_MS + slices * MS_PER_SLICE;
    const at = (t: number) => Math.min(slices, Math.floor((t - r.startedAt - STARTING_MS) / MS_PER_SLICE));
    const replayed = (t: number) =>
      new Date(Math.min(r.end.getTime(), r.start.getTime() + Math.max(0, at(t)) * 60_000));
    if (r.cancelledAt !== null) {
      const last = at(r.cancelledAt) > 0 ? { EventLastReplayedTime: replayed(r.cancelledAt) } : {};
      return now < r.cancelledAt + CANCEL_MS
        ? { State: 'CANCELLING', ...last }
        : { State: 'CANCELLED', ReplayEndTime: new Date(r.cancelledAt + CANCEL_MS), ...last };
    }
    if (now < r.startedAt + STARTING_MS) return { State: 'STARTING' };
    if (now < doneAt) return { State: 'RUNNING', ...(at(now) > 0 ? { EventLastReplayedTime: replayed(now) } : {}) };
    return { State: 'COMPLETED', EventLastReplayedTime: r.end, ReplayEndTime: new Date(doneAt) };
  }

  private find(name: string | undefined): FakeReplay {
    const r = this.replays.find((x) => x.name === name);
    if (!r) throw awsError('ResourceNotFoundException', `Replay ${name} does not exist.`);
    return r;
  }

  private arnOf(name: string): string {
    return `arn:aws:events:${this.config.region}:${this.config.archive.arn.split(':')[4]}:replay/${name}`;
  }

  describeEventBus(input: { Name?: string }) {
    if (input.Name !== this.config.bus.name)
      throw awsError('ResourceNotFoundException', `Event bus ${input.Name} does not exist.`);
    return { Name: this.config.bus.name, Arn: this.config.bus.arn, CreationTime: this.createdAt };
  }

  describeArchive(input: { ArchiveName?: string }) {
    if (input.ArchiveName !== this.config.archive.name)
      throw awsError('ResourceNotFoundException', `Archive ${input.ArchiveName} does not exist.`);
    return {
      ArchiveArn: this.config.archive.arn,
      ArchiveName: this.config.archive.name,
      EventSourceArn: this.config.bus.arn,
      EventPattern: JSON.stringify({ source: ['transaction.processing', 'payment.validation'] }),
      State: 'ENABLED',
      RetentionDays: ARCHIVE_RETENTION_DAYS,
      SizeBytes: this.archivedEvents * 612,
      EventCount: this.archivedEvents,
      CreationTime: this.createdAt,
    };
  }

  startReplay(input: StartReplayRequest) {
    const name = input.ReplayName ?? '';
    if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(name)) throw awsError('ValidationException', 'ReplayName is not valid.');
    if (this.replays.some((r) => r.name === name))
      throw awsError('ResourceAlreadyExistsException', `Replay ${name} already exists.`);
    if (input.EventSourceArn !== this.config.archive.arn)
      throw awsError('ResourceNotFoundException', 'Archive does not exist.');
    if (input.Destination?.Arn !== this.config.bus.arn)
      throw awsError('ValidationException', 'Destination must be the event bus the archive was created for.');
    if (!input.EventStartTime || !input.EventEndTime || input.EventStartTime >= input.EventEndTime)
      throw awsError('InvalidEventPatternException', 'EventStartTime must be before EventEndTime.');
    const active = this.replays.filter((r) =>
      ['STARTING', 'RUNNING', 'CANCELLING'].includes(this.state(r).State ?? ''),
    );
    if (active.length >= MAX_ACTIVE_REPLAYS) throw awsError('LimitExceededException', 'Too many active replays.');
    const r: FakeReplay = {
      name,
      description: input.Description,
      start: input.EventStartTime,
      end: input.EventEndTime,
      startedAt: this.clock.now(),
      cancelledAt: null,
      destination: input.Destination,
    };
    this.replays.unshift(r);
    return { ReplayArn: this.arnOf(name), State: 'STARTING' as ReplayState, ReplayStartTime: new Date(r.startedAt) };
  }

  describeReplay(input: { ReplayName?: string }): DescribeReplayResponse {
    const r = this.find(input.ReplayName);
    return {
      ReplayName: r.name,
      ReplayArn: this.arnOf(r.name),
      ...(r.description !== undefined ? { Description: r.description } : {}),
      EventSourceArn: this.config.archive.arn,
      Destination: r.destination,
      EventStartTime: r.start,
      EventEndTime: r.end,
      ReplayStartTime: new Date(r.startedAt),
      ...this.state(r),
    };
  }

  listReplays(input: ListReplaysRequest) {
    const limit = input.Limit ?? 50;
    if (limit < 1 || limit > 100) throw awsError('ValidationException', 'Limit must be 1-100.');
    const matching = this.replays
      .filter(() => !input.EventSourceArn || input.EventSourceArn === this.config.archive.arn)
      .filter((r) => !input.NamePrefix || r.name.startsWith(input.NamePrefix))
      .filter((r) => !input.State || this.state(r).State === input.State);
    const bound = JSON.stringify({ ...input, NextToken: undefined });
    const offset = readPageToken(input.NextToken, bound);
    const Replays = matching.slice(offset, offset + limit).map((r) => {
      const {
        Description: _d,
        Destination: _x,
        ReplayArn: _a,
        ...summary
      } = this.describeReplay({ ReplayName: r.name });
      return summary;
    });
    const next = offset + limit < matching.length ? pageToken(offset + limit, bound) : undefined;
    return { Replays, ...(next ? { NextToken: next } : {}) };
  }

  cancelReplay(input: { ReplayName?: string }) {
    const r = this.find(input.ReplayName);
    const state = this.state(r).State;
    if (state !== 'STARTING' && state !== 'RUNNING')
      throw awsError('IllegalStatusException', `Replay ${r.name} is ${state} and cannot be cancelled.`);
    r.cancelledAt = this.clock.now();
    return { ReplayArn: this.arnOf(r.name), State: 'CANCELLING' as ReplayState };
  }
}
