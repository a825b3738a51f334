/**
 * Replay names and the operator roles' pattern: the roles may start, describe and cancel only
 * `replay/ledgerline-<stage>-*`, so every replay the console starts is named under that prefix,
 * and a replay outside it (started elsewhere) is listed from its summary, not failing the page.
 */
import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListReplaysCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { callerOf, NOW, testConfig, testPlatform } from './testing';

const events = mockClient(EventBridgeClient);
const config = testConfig();
const operator = callerOf('operator', 'op-1');
const R1 = 'ledgerline-staging-r1';
const hour = 3_600_000;
const window = { start: new Date(NOW - 3 * hour).toISOString(), end: new Date(NOW - 1 * hour).toISOString() };
const replayResponse = (state: 'STARTING' | 'COMPLETED') => ({
  ReplayName: R1,
  Description: 'ledgerline:{"by":"op-1","pattern":null,"total":300}',
  State: state,
  EventSourceArn: config.archive.arn,
  EventStartTime: new Date(window.start),
  EventEndTime: new Date(window.end),
  ReplayStartTime: new Date(NOW),
});

beforeEach(() => {
  events.reset();
  events.on(DescribeArchiveCommand).resolves({
    ArchiveName: config.archive.name,
    ArchiveArn: config.archive.arn,
    EventSourceArn: config.bus.arn,
    State: 'ENABLED',
  });
});

describe('replay names', () => {
  it('lists a replay it may not describe from its summary instead of failing the page', async () => {
    const summary = (name: string) => ({
      ReplayName: name,
      State: 'COMPLETED' as const,
      EventSourceArn: config.archive.arn,
      EventStartTime: new Date(window.start),
      EventEndTime: new Date(window.end),
      ReplayStartTime: new Date(NOW),
    });
    // A replay started outside the console, under a name the operator roles may not describe.
    events.on(ListReplaysCommand).resolves({ Replays: [summary(R1), summary('foreign-replay-1')] });
    events.on(DescribeReplayCommand, { ReplayName: R1 }).resolves(replayResponse('COMPLETED'));
    events.on(DescribeReplayCommand, { ReplayName: 'foreign-replay-1' }).rejects(
      Object.assign(new Error('not authorized to perform: events:DescribeReplay'), {
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const { platform } = testPlatform();
    const page = await platform.listReplays(callerOf('viewer'), { limit: 20 });
    expect(page.items.map((r) => [r.name, r.state, r.startedBy, r.eventsTotal])).toEqual([
      [R1, 'COMPLETED', 'op-1', 300],
      ['foreign-replay-1', 'COMPLETED', null, null],
    ]);
  });

  it('names every replay under the stage prefix the operator roles may act on, refusing a name that would not fit', async () => {
    events.on(StartReplayCommand).resolves({ State: 'STARTING' });
    events.on(DescribeReplayCommand).resolves(replayResponse('STARTING'));
    const { platform } = testPlatform({ ...config, archiveIndexTable: null });
    await platform.startReplay(operator, { archive: config.archive.name, window, name: R1 });
    expect(events.commandCalls(StartReplayCommand)[0]!.args[0].input.ReplayName).toBe(R1);
    await expect(
      platform.startReplay(operator, { archive: config.archive.name, window, name: 'x'.repeat(60) }),
    ).rejects.toMatchObject({ code: 'Invalid', field: 'name' });
    expect(events.commandCalls(StartReplayCommand)).toHaveLength(1);
  });
});
