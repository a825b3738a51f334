/**
 * The contract between the CDK stacks and the console's aws adapter (server/platform/aws):
 * every output key it reads (StackOutputKeys, outputs.ts) is emitted, and the outputs of a
 * synthesized template — tokens resolved to the names/ARNs CloudFormation would return, from the
 * template's own resources — are accepted by the adapter's `configFromOutputs` and name this
 * platform's resources. Plus the archive index the adapter's replay previews read.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { shardQueuePairIds, type DeployedStage } from '../../../infra/lib/platform-stack';
import { eventSources, namesFor, primaryRegion, secondaryRegion } from '../../../infra/platform/description';
import { failureIndexTableName } from '../../../infra/platform/layout';
import { allOutputKeys, StackOutputKeys } from '../../../infra/platform/outputs';
import { resourcesOf, synthesize, type Synthesized } from '../../../infra/test/synth';
import { roles } from '../../auth/permissions.schema';
import { configFromOutputs } from './config';

const ACCOUNT = '111122223333';
const OPTIONAL = new Set<string>([
  StackOutputKeys.SecondaryRegion,
  StackOutputKeys.SagaTableName,
  StackOutputKeys.LedgerTableName,
  StackOutputKeys.ArchiveIndexTableName,
  StackOutputKeys.GlobalEndpointName,
  StackOutputKeys.GlobalEndpointId,
]);

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties?: Json };

/** What CloudFormation returns for Ref / GetAtt of the resources this platform outputs. */
function resolver(t: Template, region: string) {
  const resources = t.toJSON().Resources as Record<string, Resource>;
  const res = (id: string): Resource => {
    const r = resources[id];
    if (!r) throw new Error(`output refers to unknown resource ${id}`);
    return r;
  };
  const arn = (service: string, rest: string, r = region) => `arn:aws:${service}:${r}:${ACCOUNT}:${rest}`;
  const name = (id: string, key: string): string => {
    const v = resolve(res(id).Properties?.[key]);
    if (!v) throw new Error(`${id} has no ${key}`);
    return v;
  };
  const ref = (id: string): string => {
    const pseudo: Record<string, string> = {
      'AWS::Region': region,
      'AWS::AccountId': ACCOUNT,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (pseudo[id]) return pseudo[id];
    const r = res(id);
    switch (r.Type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${name(id, 'QueueName')}`;
      case 'AWS::StepFunctions::StateMachine':
        return arn('states', `stateMachine:${name(id, 'StateMachineName')}`);
      case 'AWS::Events::EventBus':
      case 'AWS::Events::Endpoint':
        return name(id, 'Name');
      case 'AWS::DynamoDB::GlobalTable':
      case 'AWS::DynamoDB::Table':
        return name(id, 'TableName');
      case 'AWS::IAM::Role':
        return name(id, 'RoleName');
      case 'AWS::Events::Archive':
        return name(id, 'ArchiveName');
      default:
        throw new Error(`no Ref resolution for ${r.Type} (${id})`);
    }
  };
  const getAtt = (id: string, attr: string): string => {
    const r = res(id);
    if (attr === 'EndpointId') return `endpoint-id-of-${id}`;
    if (attr === 'EndpointUrl') return `https://${id}.endpoint.events.amazonaws.com`;
    if (attr !== 'Arn') throw new Error(`no GetAtt resolution for ${id}.${attr}`);
    switch (r.Type) {
      case 'AWS::SQS::Queue':
        return arn('sqs', name(id, 'QueueName'));
      case 'AWS::Events::EventBus':
        return arn('events', `event-bus/${name(id, 'Name')}`);
      case 'AWS::Events::Archive':
        return arn('events', `archive/${name(id, 'ArchiveName')}`);
      case 'AWS::Events::Rule':
        return arn('events', `rule/${resolve(res(id).Properties!.EventBusName)}/${name(id, 'Name')}`);
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${ACCOUNT}:role/${name(id, 'RoleName')}`;
      case 'AWS::SNS::Topic':
        return arn('sns', name(id, 'TopicName'));
      default:
        throw new Error(`no Arn resolution for ${r.Type} (${id})`);
    }
  };
  function resolve(v: unknown): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    const o = v as Json;
    if (typeof o.Ref === 'string') return ref(o.Ref);
    if (Array.isArray(o['Fn::GetAtt'])) return getAtt(String(o['Fn::GetAtt'][0]), String(o['Fn::GetAtt'][1]));
    if (Array.isArray(o['Fn::Join'])) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(sep);
    }
    throw new Error(`cannot resolve ${JSON.stringify(v)}`);
  }
  return resolve;
}

/** The literal value of an output (QueuePairIds is synthesized as plain text). */
function literalOutput(t: Template, key: string): string {
  const v = (t.toJSON().Outputs as Record<string, { Value: unknown }>)[key]?.Value;
  if (typeof v !== 'string') throw new Error(`output ${key} is not a literal string: ${JSON.stringify(v)}`);
  return v;
}

/**
 * The adapter's outputs of a stack as the adapter would read them after a deploy (conditions
 * hold: the stack is deployed in its region). Outputs for operators are not resolved.
 */
function deployedOutputs(t: Template, region: string): Record<string, string> {
  const resolve = resolver(t, region);
  const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
  const adapterKeys = new Set(allOutputKeys(literalOutput(t, StackOutputKeys.QueuePairIds).split(',')));
  return Object.fromEntries(
    Object.entries(outputs)
      .filter(([k]) => adapterKeys.has(k))
      .map(([k, o]) => [k, resolve(o.Value)]),
  );
}

let app: Synthesized;
beforeAll(() => {
  app = synthesize({ nag: false });
});

const stacks: [DeployedStage, string][] = [
  ['staging', primaryRegion],
  ['production', primaryRegion],
  ['production', secondaryRegion],
];

describe('stack outputs the aws adapter reads', () => {
  for (const [stage, region] of stacks) {
    it(`emits every required StackOutputKey in ${stage} ${region}`, () => {
      const outputs = Object.keys(app.template(stage, region).toJSON().Outputs as Json);
      const pairIds = literalOutput(app.template(stage, region), StackOutputKeys.QueuePairIds).split(',');
      expect(pairIds).toEqual(namesFor(stage).queues.map((q) => q.id));
      const required = allOutputKeys(pairIds).filter((k) => !OPTIONAL.has(k));
      expect(required.filter((k) => !outputs.includes(k))).toEqual([]);
    });

    it(`builds a valid adapter config from the deployed outputs of ${stage} ${region}, naming this platform's resources`, () => {
      const n = namesFor(stage);
      const config = configFromOutputs(stage, region, deployedOutputs(app.template(stage, region), region));
      expect(config.region).toBe(region);
      expect(config.primaryRegion).toBe(primaryRegion);
      expect(config.secondaryRegion).toBe(stage === 'production' ? secondaryRegion : null);
      expect(config.bus).toEqual({
        name: n.busName,
        arn: `arn:aws:events:${region}:${ACCOUNT}:event-bus/${n.busName}`,
      });
      expect(config.archive).toEqual({
        name: n.archiveName,
        arn: `arn:aws:events:${region}:${ACCOUNT}:archive/${n.archiveName}`,
      });
      expect(config.replayRuleArns).toEqual(
        n.queues.map((q) => `arn:aws:events:${region}:${ACCOUNT}:rule/${n.busName}/${q.source}-route`),
      );
      expect(config.stateMachineArn).toBe(`arn:aws:states:${region}:${ACCOUNT}:stateMachine:${n.stateMachineName}`);
      expect(config).toMatchObject({
        idempotencyTable: n.idempotencyTable,
        sagaTable: n.sagaTable,
        ledgerTable: n.ledgerTable,
        archiveIndexTable: n.archiveIndexTable,
        failureIndexTable: failureIndexTableName(n.prefix),
      });
      expect(config.queuePairs).toEqual(
        n.queues.map((q) => ({
          id: q.id,
          sourceUrl: `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${q.source}`,
          sourceArn: `arn:aws:sqs:${region}:${ACCOUNT}:${q.source}`,
          dlqUrl: `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${q.dlq}`,
          dlqArn: `arn:aws:sqs:${region}:${ACCOUNT}:${q.dlq}`,
        })),
      );
      for (const role of roles)
        expect(config.operatorRoleArns[role]).toBe(`arn:aws:iam::${ACCOUNT}:role/${n.prefix}-console-${role}`);
      // The global endpoint lives in production's primary region only.
      const withEndpoint = stage === 'production' && region === primaryRegion;
      if (withEndpoint) {
        expect(config.globalEndpoint?.name).toBe(n.endpointName);
        expect(config.globalEndpoint?.id).toMatch(/^endpoint-id-of-GlobalEndpoint/);
      } else expect(config.globalEndpoint).toBeNull();
    });
  }

  it("gives every processing shard its own queue pair id (shard 0 keeps the description's id)", () => {
    const shards = [
      { id: 'processing', source: 'ledgerline-staging-processing' },
      { id: 'processing', source: 'ledgerline-staging-processing-s1' },
    ];
    expect(shardQueuePairIds(shards, 'ledgerline-staging')).toEqual(['processing', 'processing-s1']);
    expect(allOutputKeys(['processing-s1'])).toContain('QueuePairProcessingS1DlqUrl');
  });

  it('the adapter names the missing key when an output is absent (the check above can fail)', () => {
    const outputs = deployedOutputs(app.template('staging', primaryRegion), primaryRegion);
    delete outputs[StackOutputKeys.StateMachineArn];
    expect(() => configFromOutputs('staging', primaryRegion, outputs)).toThrow(/StateMachineArn: missing/);
  });
});

describe('the archive index the replay previews read', () => {
  it("is a CMK-encrypted global table with PITR, the layout's keys and TTL on expiryTime, writable only in the write region", () => {
    const n = namesFor('production');
    const t = app.template('production', primaryRegion);
    const [, table] = resourcesOf(t, 'AWS::DynamoDB::GlobalTable').find(
      ([, r]) => r.Properties?.TableName === n.archiveIndexTable,
    )!;
    const p = table.Properties!;
    expect(p.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: 'expiryTime', Enabled: true });
    expect(p.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    const replicas = p.Replicas as Json[];
    expect(replicas.map((r) => r.Region).sort()).toEqual([secondaryRegion, primaryRegion].sort());
    for (const r of replicas)
      expect(r.PointInTimeRecoverySpecification).toMatchObject({ PointInTimeRecoveryEnabled: true });
    expect(JSON.stringify(replicas.find((r) => r.Region === secondaryRegion)!.ResourcePolicy)).toContain(
      'SingleWriteRegion',
    );
  });

  for (const [stage, region] of stacks) {
    it(`is fed in ${stage} ${region} by a rule with the archive's pattern minus replays, to the indexer only (enabled in the write region)`, () => {
      const t = app.template(stage, region);
      const n = namesFor(stage);
      const archivePattern = resourcesOf(t, 'AWS::Events::Archive')[0]![1].Properties!.EventPattern as Json;
      const [, rule] = resourcesOf(t, 'AWS::Events::Rule').find(
        ([, r]) => r.Properties?.Name === `${n.prefix}-archive-index`,
      )!;
      expect(rule.Properties!.EventPattern).toEqual({ ...archivePattern, 'replay-name': [{ exists: false }] });
      expect(archivePattern).toEqual({ source: [...eventSources] });
      expect(rule.Properties!.State).toBe(region === primaryRegion ? 'ENABLED' : 'DISABLED');
      const targets = rule.Properties!.Targets as Json[];
      expect(targets).toHaveLength(1);
      const [fnId, fn] = resourcesOf(t, 'AWS::Lambda::Function').find(
        ([, f]) => f.Properties?.FunctionName === `${n.prefix}-archive-indexer`,
      )!;
      expect(targets[0]!.Arn).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
      expect(targets[0]!.DeadLetterConfig).toBeDefined();
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
      expect((fn.Properties!.Environment as { Variables: Json }).Variables).toMatchObject({
        ARCHIVE_INDEX_TABLE: n.archiveIndexTable,
        ARCHIVE_RETENTION_DAYS: '30',
      });
      // Its own role may only put items into the index (plus the stage key).
      const roleId = (fn.Properties!.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
      const policies = resourcesOf(t, 'AWS::IAM::ManagedPolicy').filter(([, mp]) =>
        JSON.stringify(mp.Properties?.Roles ?? []).includes(String(roleId)),
      );
      const text = JSON.stringify(policies.map(([, mp]) => mp.Properties!.PolicyDocument));
      expect(text).toContain('dynamodb:PutItem');
      expect(text).toContain(`table/${n.archiveIndexTable}`);
      expect(text).not.toMatch(/table\/(?!ledgerline-[a-z]+-archive-index)/);
    });
  }
});
