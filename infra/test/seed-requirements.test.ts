/**
 * One test per numbered point of the seed (shared/seeds/000_ee82d020d24927a5.txt), each
 * asserting the synthesized templates — including what cdk-nag cannot see (PITR and CMK on
 * the global tables, the archive's KmsKeyIdentifier, ESM settings, the endpoint's
 * replication role). The app is synthesized once (all stages) and shared.
 */
import aslValidator from 'asl-validator';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { planCapacity } from '../lib/capacity';
import { interfaceEndpoints } from '../lib/constructs/network';
import { itemWriteActions } from '../lib/constructs/state';
import { platformTags } from '../lib/platform-stack';
import {
  alarmName,
  alarmsFor,
  ARCHIVE_RETENTION_DAYS,
  eventSources,
  MAX_RECEIVE_COUNT,
  namesFor,
  primaryRegion,
  secondaryRegion,
} from '../platform/description';
import {
  COMPENSATED_STATE,
  compensationsFor,
  compensationStateName,
  SAGA_COMPENSATED_ERROR,
  sagaDefinition,
  stateTimeoutSeconds,
} from '../saga/definition';
import { allResources, resourcesOf, synthesize, type Synthesized } from './synth';

let app: Synthesized;
let staging: Template;
let prodPrimary: Template;
let prodSecondary: Template;
let flipped: Synthesized;
const all = () => [staging, prodPrimary, prodSecondary];
const plan = planCapacity(100_000);

beforeAll(() => {
  app = synthesize({ nag: false });
  staging = app.template('staging', primaryRegion);
  prodPrimary = app.template('production', primaryRegion);
  prodSecondary = app.template('production', secondaryRegion);
  flipped = synthesize({ nag: false, stages: ['production'], context: { writeRegion: secondaryRegion } });
});

type Json = Record<string, unknown>;
const json = (t: Template) => JSON.stringify(t.toJSON());
const props = (r: { Properties?: Json }) => r.Properties ?? {};
const keyRef = { 'Fn::GetAtt': [Match.stringLikeRegexp('^KeysKey'), 'Arn'] };
function platformFunctions(t: Template) {
  return resourcesOf(t, 'AWS::Lambda::Function').filter(([, r]) => typeof props(r).FunctionName === 'string');
}

describe('seed requirements', () => {
  it('1. KMS key management: one rotating customer-managed key per region, used by every service, no AWS-managed key', () => {
    for (const t of all()) {
      t.resourceCountIs('AWS::KMS::Key', 1);
      t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      const policy = JSON.stringify(props(resourcesOf(t, 'AWS::KMS::Key')[0]![1]).KeyPolicy);
      for (const service of [
        'logs.',
        'events.amazonaws.com',
        'cloudwatch.amazonaws.com',
        'states.amazonaws.com',
        'sqs.',
        'sns.',
        'dynamodb.',
        'lambda.',
      ]) {
        expect(policy, `key policy names ${service}`).toContain(service);
      }
      expect(json(t)).not.toMatch(/alias\/aws\//);
      for (const [, q] of resourcesOf(t, 'AWS::SQS::Queue'))
        expect(props(q).KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^KeysKey/), 'Arn'] });
      t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyRef });
      t.hasResourceProperties('AWS::Events::EventBus', { KmsKeyIdentifier: keyRef });
      t.hasResourceProperties('AWS::Events::Archive', { KmsKeyIdentifier: keyRef });
      t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        EncryptionConfiguration: { Type: 'CUSTOMER_MANAGED_KMS_KEY', KmsKeyId: keyRef },
      });
      for (const [, lg] of resourcesOf(t, 'AWS::Logs::LogGroup'))
        expect(props(lg).KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^KeysKey/), 'Arn'] });
      for (const [, fn] of platformFunctions(t))
        expect(props(fn).KmsKeyArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^KeysKey/), 'Arn'] });
    }
    // Global tables: CMK in the primary region and the stage key's alias in the replica region.
    const tables = resourcesOf(prodPrimary, 'AWS::DynamoDB::GlobalTable');
    expect(tables).toHaveLength(5); // idempotency, saga state, audit, ledger, archive index
    for (const [, table] of tables) {
      expect(props(table).SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
      const replicas = props(table).Replicas as Json[];
      const byRegion: Record<string, string> = Object.fromEntries(
        replicas.map((r) => [String(r.Region), JSON.stringify(r.SSESpecification)]),
      );
      expect(byRegion[primaryRegion]).toMatch(/KeysKey/);
      expect(byRegion[secondaryRegion]).toContain(`:kms:${secondaryRegion}:`);
      expect(byRegion[secondaryRegion]).toContain('alias/ledgerline-production');
    }
    prodSecondary.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/ledgerline-production' });
  });

  it('2. VPC endpoint security: isolated subnets, private-DNS interface endpoints, DynamoDB gateway, 443 only from the functions, flow logs', () => {
    for (const t of all()) {
      t.resourceCountIs('AWS::EC2::InternetGateway', 0);
      t.resourceCountIs('AWS::EC2::NatGateway', 0);
      for (const [, s] of resourcesOf(t, 'AWS::EC2::Subnet')) expect(props(s).MapPublicIpOnLaunch).toBe(false);
      const endpoints = resourcesOf(t, 'AWS::EC2::VPCEndpoint');
      const iface = endpoints.filter(([, e]) => props(e).VpcEndpointType === 'Interface');
      expect(iface).toHaveLength(Object.keys(interfaceEndpoints).length);
      const services = iface.map(([, e]) => JSON.stringify(props(e).ServiceName));
      for (const name of ['.sqs', '.xray', '.events', '.states', '.monitoring', '.logs', '.kms', '.sts', '.lambda']) {
        expect(
          services.some((s) => s.includes(name)),
          `interface endpoint ${name}`,
        ).toBe(true);
      }
      for (const [, e] of iface) expect(props(e).PrivateDnsEnabled).toBe(true);
      expect(
        endpoints.filter(
          ([, e]) =>
            props(e).VpcEndpointType === 'Gateway' && JSON.stringify(props(e).ServiceName).includes('dynamodb'),
        ),
      ).toHaveLength(1);
      // The endpoints' group admits exactly 443 from the functions' group.
      const groups = resourcesOf(t, 'AWS::EC2::SecurityGroup');
      const endpointSg = groups.find(([, g]) => String(props(g).GroupDescription).includes('interface endpoints'))!;
      const functionSg = groups.find(([, g]) => String(props(g).GroupDescription).includes('functions'))!;
      const ingress = [
        ...((props(endpointSg[1]).SecurityGroupIngress as Json[] | undefined) ?? []),
        ...resourcesOf(t, 'AWS::EC2::SecurityGroupIngress')
          .filter(([, r]) => JSON.stringify(props(r).GroupId).includes(endpointSg[0]))
          .map(([, r]) => props(r)),
      ];
      expect(ingress).toHaveLength(1);
      expect(ingress[0]).toMatchObject({
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        SourceSecurityGroupId: { 'Fn::GetAtt': [functionSg[0], 'GroupId'] },
      });
      for (const [, e] of iface) expect(JSON.stringify(props(e).SecurityGroupIds)).toContain(endpointSg[0]);
      t.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
      // Every platform function runs in the isolated subnets behind the functions' group.
      for (const [, fn] of platformFunctions(t)) expect(JSON.stringify(props(fn).VpcConfig)).toContain(functionSg[0]);
    }
  });

  it('3. Lambda runtime configuration: newest Node.js on arm64, explicit memory/timeout, reserved concurrency, own log group with retention and CMK', () => {
    for (const t of all()) {
      const fns = platformFunctions(t);
      expect(fns).toHaveLength(12); // processor, 5 steps, 3 compensations, adjuster, breaker, archive indexer
      const logGroups = resourcesOf(t, 'AWS::Logs::LogGroup');
      for (const [, fn] of fns) {
        const p = props(fn);
        expect(p).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
        expect(p.MemorySize).toBeGreaterThanOrEqual(256);
        expect(p.Timeout).toBeGreaterThan(0);
        expect(p.ReservedConcurrentExecutions).toBeGreaterThanOrEqual(1);
        const lgRef = (p.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
        const lg = logGroups.find(([id]) => id === lgRef)!;
        expect(props(lg[1]).RetentionInDays).toBeGreaterThan(0);
        expect(props(lg[1]).LogGroupName).toBe(`/aws/lambda/${String(p.FunctionName)}`);
      }
    }
  });

  it('4. Exactly-once processing: idempotency global table keyed by transaction id with TTL expiryTime, PITR, single write region enforced', () => {
    const n = namesFor('production');
    prodPrimary.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: n.idempotencyTable,
      KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiryTime', Enabled: true },
    });
    for (const [, table] of resourcesOf(prodPrimary, 'AWS::DynamoDB::GlobalTable')) {
      for (const r of props(table).Replicas as Json[]) {
        expect(
          r.PointInTimeRecoverySpecification,
          `PITR on ${String(props(table).TableName)} in ${String(r.Region)}`,
        ).toMatchObject({ PointInTimeRecoveryEnabled: true });
        const policy = JSON.stringify(r.ResourcePolicy ?? null);
        // Writes are denied everywhere except the write region (us-east-1 by default).
        if (r.Region === secondaryRegion) for (const a of itemWriteActions) expect(policy).toContain(a);
        else expect(r.ResourcePolicy).toBeUndefined();
      }
    }
    for (const [, table] of resourcesOf(staging, 'AWS::DynamoDB::GlobalTable')) {
      expect(
        (props(table).Replicas as Json[]).every(
          (r) => (r.PointInTimeRecoverySpecification as Json).PointInTimeRecoveryEnabled === true,
        ),
      ).toBe(true);
    }
    // The processor's mappings run only in the write region, with partial batch responses.
    prodPrimary.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Enabled: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    prodSecondary.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Enabled: false,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    prodPrimary.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: n.processorFunctionName,
      Environment: {
        Variables: Match.objectLike({ IDEMPOTENCY_TABLE: n.idempotencyTable, IDEMPOTENCY_TTL_HOURS: '48' }),
      },
    });
    // Promotion (-c writeRegion=eu-west-1) moves the deny to us-east-1 and flips the mappings.
    const fp = flipped.template('production', primaryRegion);
    const fs = flipped.template('production', secondaryRegion);
    for (const [, table] of resourcesOf(fp, 'AWS::DynamoDB::GlobalTable')) {
      const byRegion: Record<string, unknown> = Object.fromEntries(
        (props(table).Replicas as Json[]).map((r) => [String(r.Region), r.ResourcePolicy]),
      );
      expect(JSON.stringify(byRegion[primaryRegion])).toContain('SingleWriteRegion');
      expect(byRegion[secondaryRegion]).toBeUndefined();
    }
    fp.hasResourceProperties('AWS::Lambda::EventSourceMapping', { Enabled: false });
    fs.hasResourceProperties('AWS::Lambda::EventSourceMapping', { Enabled: true });
  });

  it("4. Exactly-once processing: the processor may start sagas and read only its own state machine's executions (a closed one answers ExecutionAlreadyExists whatever its input)", () => {
    const n = namesFor('production');
    const processor = resourcesOf(prodPrimary, 'AWS::Lambda::Function').find(
      ([, f]) => props(f).FunctionName === n.processorFunctionName,
    )!;
    const roleId = (props(processor[1]).Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    const policy = resourcesOf(prodPrimary, 'AWS::IAM::ManagedPolicy').find(([, mp]) =>
      JSON.stringify(props(mp).Roles).includes(roleId),
    )!;
    const statements = (props(policy[1]).PolicyDocument as { Statement: Json[] }).Statement;
    const states = statements.filter((s) => JSON.stringify(s.Action).includes('states:'));
    expect(states.map((s) => s.Action).sort()).toEqual(['states:DescribeExecution', 'states:StartExecution']);
    const describe = JSON.stringify(states.find((s) => s.Action === 'states:DescribeExecution')!.Resource);
    expect(describe).toContain(`:execution:${n.stateMachineName}:*`);
  });

  it('5. Saga pattern: Standard state machine from infra/saga with retries, reverse-order compensation chain, state table, CMK, ALL logging, X-Ray', () => {
    const n = namesFor('staging');
    staging.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: n.stateMachineName,
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
    const sm = resourcesOf(staging, 'AWS::StepFunctions::StateMachine')[0]![1];
    const asl = JSON.parse(String(props(sm).DefinitionString)) as { States: Record<string, Json> };
    const validation = aslValidator(
      JSON.parse(
        JSON.stringify(asl).replace(/\$\{(\w+)FunctionArn\}/g, 'arn:aws:lambda:us-east-1:123456789012:function:$1'),
      ),
    );
    expect(validation.errorsText()).toBe('');
    for (const step of sagaDefinition.steps) {
      const s = asl.States[step.name]!;
      expect(s.Type).toBe('Task');
      expect(s.TimeoutSeconds).toBe(stateTimeoutSeconds(step.timeoutSeconds));
      expect(s.Retry).toContainEqual({
        ErrorEquals: [...step.retry.errors],
        IntervalSeconds: step.retry.intervalSeconds,
        MaxAttempts: step.retry.maxAttempts - 1,
        BackoffRate: step.retry.backoffRate,
        ...(step.retry.maxDelaySeconds === undefined ? {} : { MaxDelaySeconds: step.retry.maxDelaySeconds }),
      });
      const first = compensationsFor(step.name)[0];
      expect(s.Catch).toEqual([
        {
          ErrorEquals: ['States.ALL'],
          ResultPath: '$.error',
          Next: first ? compensationStateName(first) : COMPENSATED_STATE,
        },
      ]);
    }
    expect(asl.States[COMPENSATED_STATE]).toMatchObject({ Type: 'Fail', Error: SAGA_COMPENSATED_ERROR });
    expect(asl.States.CompensationFailed).toMatchObject({ Type: 'Fail', Error: 'SagaCompensationFailed' });
    staging.hasResourceProperties('AWS::DynamoDB::GlobalTable', { TableName: n.sagaTable });
    const sagaFunctions = platformFunctions(staging).filter(([, f]) =>
      String(props(f).FunctionName).includes('-saga-'),
    );
    expect(sagaFunctions).toHaveLength(Object.keys(asl.States).filter((k) => asl.States[k]!.Type === 'Task').length);
    for (const [, fn] of sagaFunctions) {
      const variables = (props(fn).Environment as { Variables: Json }).Variables;
      expect(variables.SAGA_TABLE).toBe(n.sagaTable);
      // Step Functions never gives up on an attempt its function can still complete (and commit).
      const task = String(variables.SAGA_TASK);
      const state = asl.States[task] ?? asl.States[`Compensate${task}`];
      expect(Number(state?.TimeoutSeconds)).toBeGreaterThan(Number(props(fn).Timeout));
    }
  });

  it('6. Monitoring and alerting: every alarm of the platform description, to an encrypted SSL-only SNS topic, and a dashboard', () => {
    for (const [stage, t, global] of [
      ['staging', staging, false],
      ['production', prodPrimary, true],
    ] as const) {
      const defs = alarmsFor(stage).filter((a) => global || !a.globalOnly);
      const alarms = resourcesOf(t, 'AWS::CloudWatch::Alarm');
      expect(alarms).toHaveLength(defs.length);
      for (const d of defs) {
        const found = alarms.find(([, a]) => props(a).AlarmName === alarmName(stage, d.suffix));
        expect(found, d.suffix).toBeDefined();
        const p = props(found![1]);
        expect(p).toMatchObject({
          ComparisonOperator: d.comparison,
          EvaluationPeriods: d.evaluationPeriods,
          DatapointsToAlarm: d.datapointsToAlarm,
          TreatMissingData: d.treatMissingData,
        });
        if (d.suffix === 'high-event-volume') expect(p.Threshold).toEqual({ Ref: 'EventProcessingCapacity' });
        else expect(p.Threshold).toBe(d.threshold);
        expect(JSON.stringify(p.AlarmActions)).toContain('AlarmTopic');
      }
      // The topic notifies someone (alarm-wiring.test.ts covers the subscriptions in detail).
      expect(resourcesOf(t, 'AWS::SNS::Subscription').length, `${stage} alarm topic subscriptions`).toBeGreaterThan(0);
      t.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    }
    // The DLQ alarm watches the DLQ itself.
    const dlqAlarm = resourcesOf(staging, 'AWS::CloudWatch::Alarm').find(
      ([, a]) => props(a).AlarmName === alarmName('staging', 'processing-dlq-depth'),
    )!;
    expect(props(dlqAlarm[1])).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: namesFor('staging').queues[0]!.dlq }],
    });
  });

  it('7. Error handling: maxReceiveCount 3 to a byQueue DLQ, bus and target DLQs, circuit breaker on the downstream alarm', () => {
    for (const t of all()) {
      const queues = resourcesOf(t, 'AWS::SQS::Queue');
      const sources = queues.filter(([, q]) => props(q).RedrivePolicy);
      expect(sources.length).toBe(plan.shards);
      for (const [, q] of sources) {
        expect((props(q).RedrivePolicy as Json).maxReceiveCount).toBe(MAX_RECEIVE_COUNT);
        const dlqId = ((props(q).RedrivePolicy as Json).deadLetterTargetArn as { 'Fn::GetAtt': string[] })[
          'Fn::GetAtt'
        ][0];
        const dlq = queues.find(([id]) => id === dlqId)!;
        const allow = props(dlq[1]).RedriveAllowPolicy as { redrivePermission: string; sourceQueueArns: unknown[] };
        expect(allow.redrivePermission).toBe('byQueue');
        expect(allow.sourceQueueArns).toHaveLength(1);
        expect(JSON.stringify(allow.sourceQueueArns[0])).toContain(`:${String(props(q).QueueName)}"`);
      }
      t.hasResourceProperties('AWS::Events::EventBus', { DeadLetterConfig: { Arn: Match.anyValue() } });
      t.hasResourceProperties('AWS::Events::Rule', {
        Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
      });
      // SSL is enforced on every queue.
      const policies = resourcesOf(t, 'AWS::SQS::QueuePolicy').map(([, p]) => JSON.stringify(props(p)));
      expect(policies.filter((p) => p.includes('aws:SecureTransport')).length).toBe(queues.length);
      // Circuit breaker: runs on the downstream alarm's state changes and every minute.
      t.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.cloudwatch'],
          'detail-type': ['CloudWatch Alarm State Change'],
          detail: { alarmName: [Match.stringLikeRegexp('-downstream-failures$')] },
        },
      });
      t.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'] }),
          ]),
        },
      });
    }
  });

  it('8. Global architecture: eu-west-1 stack only for production, global endpoint with a Route 53 health check on an alarm and replication with its own role', () => {
    expect(app.stacks.map((s) => s.stackName).sort()).toEqual([
      'ledgerline-production-eu-west-1',
      'ledgerline-production-us-east-1',
      'ledgerline-staging-us-east-1',
    ]);
    staging.resourceCountIs('AWS::Events::Endpoint', 0);
    prodSecondary.resourceCountIs('AWS::Events::Endpoint', 0);
    const endpoint = resourcesOf(prodPrimary, 'AWS::Events::Endpoint')[0]![1];
    const p = props(endpoint);
    expect(endpoint.Condition).toBe('CreateSecondaryResources');
    expect((prodPrimary.toJSON() as { Conditions: Json }).Conditions.CreateSecondaryResources).toEqual({
      'Fn::Equals': [{ Ref: 'AWS::Region' }, primaryRegion],
    });
    expect(p.ReplicationConfig).toEqual({ State: 'ENABLED' });
    expect(JSON.stringify(p.EventBuses)).toContain(`:events:${secondaryRegion}:`);
    expect((p.RoutingConfig as { FailoverConfig: { Secondary: Json } }).FailoverConfig.Secondary).toEqual({
      Route: secondaryRegion,
    });
    expect(JSON.stringify(p.RoutingConfig)).toContain('HealthCheck');
    const roleId = (p.RoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    const role = (prodPrimary.toJSON() as { Resources: Record<string, Json> }).Resources[roleId];
    expect(JSON.stringify(role)).toContain('events.amazonaws.com');
    const rolePolicies = resourcesOf(prodPrimary, 'AWS::IAM::ManagedPolicy').filter(([, mp]) =>
      JSON.stringify(props(mp).Roles).includes(roleId),
    );
    expect(rolePolicies).toHaveLength(1);
    expect(JSON.stringify(rolePolicies[0]![1])).toContain('events:PutEvents');
    const check = resourcesOf(prodPrimary, 'AWS::Route53::HealthCheck')[0]![1];
    const config = props(check).HealthCheckConfig as {
      Type: string;
      AlarmIdentifier: { Name: { Ref: string }; Region: string };
    };
    expect(config.Type).toBe('CLOUDWATCH_METRIC');
    expect(config.AlarmIdentifier.Region).toBe(primaryRegion);
    expect(
      props((prodPrimary.toJSON() as { Resources: Record<string, Json> }).Resources[config.AlarmIdentifier.Name.Ref]!)
        .AlarmName,
    ).toBe(alarmName('production', 'endpoint-health'));
    // A one-a-minute heartbeat keeps the health signal (MatchedEvents on the primary bus) alive
    // in quiet periods, so failover means the bus is impaired, not that traffic is low.
    prodPrimary.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MessagingBus'), 'Arn'] } })],
    });
    prodPrimary.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^MessagingBus') },
      EventPattern: Match.objectLike({ 'detail-type': ['Scheduled Event'] }),
    });
    // The endpoint's buses share one name; the secondary stack owns the eu-west-1 bus.
    prodSecondary.hasResourceProperties('AWS::Events::EventBus', { Name: namesFor('production').busName });
  });

  it('9. Capacity planning: EventProcessingCapacity parameter (100k default, 10k..1M) drives the volume alarm; ESM and concurrency sized by the capacity model', () => {
    for (const t of all()) {
      t.hasParameter('EventProcessingCapacity', {
        Type: 'Number',
        Default: 100000,
        MinValue: 10000,
        MaxValue: 1000000,
      });
      for (const [, esm] of resourcesOf(t, 'AWS::Lambda::EventSourceMapping')) {
        expect(props(esm)).toMatchObject({
          BatchSize: plan.batchSize,
          MaximumBatchingWindowInSeconds: plan.maxBatchingWindowSeconds,
          ScalingConfig: { MaximumConcurrency: plan.maxConcurrencyPerShard },
        });
      }
      const processor = platformFunctions(t).find(([, f]) => String(props(f).FunctionName).endsWith('-processor'))!;
      // Throttling must not burn receives: the mapping can never exceed the reserved concurrency.
      expect(props(processor[1]).ReservedConcurrentExecutions).toBe(plan.reservedConcurrency);
      expect(plan.reservedConcurrency).toBeGreaterThan(plan.maxConcurrencyPerShard * plan.shards);
      for (const [, q] of resourcesOf(t, 'AWS::SQS::Queue').filter(([, x]) => props(x).RedrivePolicy)) {
        expect(props(q).VisibilityTimeout).toBe(plan.visibilityTimeoutSeconds);
        expect(plan.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
          6 * Number(props(processor[1]).Timeout) + plan.maxBatchingWindowSeconds,
        );
      }
    }
    // A different synth-time capacity re-sizes the mappings.
    const small = synthesize({
      nag: false,
      stages: ['staging'],
      context: { eventProcessingCapacity: 10_000 },
    }).template('staging', primaryRegion);
    const p10k = planCapacity(10_000);
    small.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: p10k.batchSize,
      ScalingConfig: { MaximumConcurrency: p10k.maxConcurrencyPerShard },
    });
  });

  it('10. Dynamic visibility timeout: a scheduled adjuster reading processing-time metrics and setting only the processing queues', () => {
    for (const t of all()) {
      const adjuster = platformFunctions(t).find(([, f]) =>
        String(props(f).FunctionName).endsWith('-visibility-adjuster'),
      )!;
      expect((props(adjuster[1]).Environment as { Variables: Json }).Variables).toMatchObject({
        FUNCTION_TIMEOUT_SECONDS: String(plan.functionTimeoutSeconds),
        BATCH_WINDOW_SECONDS: String(plan.maxBatchingWindowSeconds),
      });
      t.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(5 minutes)',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [adjuster[0], 'Arn'] } })],
      });
      const roleId = (props(adjuster[1]).Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
      const policy = resourcesOf(t, 'AWS::IAM::ManagedPolicy').find(([, mp]) =>
        JSON.stringify(props(mp).Roles).includes(roleId),
      )!;
      const statements = (props(policy[1]).PolicyDocument as { Statement: Json[] }).Statement;
      const set = statements.find((s) => JSON.stringify(s.Action).includes('sqs:SetQueueAttributes'))!;
      expect(JSON.stringify(set.Resource)).toMatch(/processingQueue/);
      expect(JSON.stringify(set.Resource)).not.toMatch(/Dlq/);
      expect(statements.some((s) => JSON.stringify(s.Action).includes('cloudwatch:GetMetricData'))).toBe(true);
    }
  });

  it('11. Archive and replay: new events.Archive with the CMK, 30-day retention, both transaction sources', () => {
    for (const t of all()) {
      t.hasResourceProperties('AWS::Events::Archive', {
        RetentionDays: ARCHIVE_RETENTION_DAYS,
        EventPattern: { source: [...eventSources] },
        KmsKeyIdentifier: keyRef,
      });
    }
    prodPrimary.hasResourceProperties('AWS::Events::Archive', { ArchiveName: namesFor('production').archiveName });
    // The operator role can replay (with the CMK through EventBridge); the viewer cannot.
    const policyOf = (role: string) =>
      JSON.stringify(
        resourcesOf(prodPrimary, 'AWS::IAM::ManagedPolicy').find(([, p]) =>
          String(props(p).Description).endsWith(`/OperatorRoles/${role}`),
        )![1],
      );
    const operator = policyOf('OperatorRole');
    const viewer = policyOf('ViewerRole');
    expect(operator).toContain('events:StartReplay');
    expect(operator).toContain(`events.${primaryRegion}.amazonaws.com`);
    expect(viewer).not.toContain('events:StartReplay');
  });

  it('12. Tagging and naming: the six tags on every taggable resource; names derived from the stage', () => {
    for (const [stage, t] of [
      ['staging', staging],
      ['production', prodPrimary],
      ['production', prodSecondary],
    ] as const) {
      const wanted = platformTags({ stage, owner: 'payments-platform', costCenter: 'CC-4410' });
      let tagged = 0;
      for (const [id, r] of allResources(t)) {
        const tags = props(r).Tags ?? props(r).HealthCheckTags;
        if (!tags) continue;
        tagged++;
        const map = Array.isArray(tags)
          ? Object.fromEntries((tags as { Key: string; Value: string }[]).map((x) => [x.Key, x.Value]))
          : (tags as Record<string, string>);
        for (const [k, v] of Object.entries(wanted)) expect(map[k], `${id} tag ${k}`).toBe(v);
      }
      expect(tagged).toBeGreaterThan(50);
      for (const type of [
        'AWS::SQS::Queue',
        'AWS::Lambda::Function',
        'AWS::KMS::Key',
        'AWS::SNS::Topic',
        'AWS::StepFunctions::StateMachine',
        'AWS::EC2::VPC',
        'AWS::IAM::Role',
        'AWS::Logs::LogGroup',
      ]) {
        for (const [id, r] of resourcesOf(t, type)) {
          if (id.startsWith('CustomVpcRestrictDefaultSG')) continue;
          expect(props(r).Tags ?? props(r).TagsEntries, `${id} is tagged`).toBeDefined();
        }
      }
      const n = namesFor(stage);
      t.hasResourceProperties('AWS::SQS::Queue', { QueueName: n.queues[0]!.source });
      t.hasResourceProperties('AWS::SQS::Queue', { QueueName: n.queues[0]!.dlq });
      t.hasResourceProperties('AWS::Events::EventBus', { Name: n.busName });
      t.hasResourceProperties('AWS::Lambda::Function', { FunctionName: n.processorFunctionName });
      t.hasResourceProperties('AWS::SNS::Topic', { TopicName: n.alarmTopicName });
    }
    // Global tables carry the tags on each replica.
    for (const [, table] of resourcesOf(prodPrimary, 'AWS::DynamoDB::GlobalTable')) {
      for (const r of props(table).Replicas as Json[]) expect(JSON.stringify(r.Tags)).toContain('DataClassification');
    }
  });

  it('13. IAM role separation: one role per function, state machine, replication, flow logs; four console roles assumable only by the console task roles with a SourceIdentity', () => {
    for (const t of all()) {
      const fnRoles = platformFunctions(t).map(([, f]) => JSON.stringify(props(f).Role));
      expect(new Set(fnRoles).size).toBe(fnRoles.length);
      const smRole = JSON.stringify(props(resourcesOf(t, 'AWS::StepFunctions::StateMachine')[0]![1]).RoleArn);
      expect(fnRoles).not.toContain(smRole);
      t.resourceCountIs('AWS::IAM::Policy', 0); // no inline policies: every permission is a managed policy
    }
    const roles = resourcesOf(prodPrimary, 'AWS::IAM::Role');
    const consoleRoles = roles.filter(([, r]) =>
      /-console-(viewer|operator|approver|admin)$/.test(String(props(r).RoleName)),
    );
    expect(consoleRoles).toHaveLength(4);
    const taskRole = (region: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':iam::',
          { Ref: 'AWS::AccountId' },
          `:role/ledgerline-production-console-task-${region}`,
        ],
      ],
    });
    for (const [, r] of consoleRoles) {
      const trust = props(r).AssumeRolePolicyDocument as { Statement: Json[] };
      expect(trust.Statement.flatMap((s) => s.Action as string[] | string).sort()).toEqual([
        'sts:AssumeRole',
        'sts:SetSourceIdentity',
      ]);
      for (const s of trust.Statement) {
        expect(s.Principal).toEqual({
          AWS: { 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, ':root']] },
        });
        expect(s.Condition).toEqual({
          StringLike: { 'sts:SourceIdentity': '?*' },
          ArnEquals: { 'aws:PrincipalArn': [taskRole('us-east-1'), taskRole('eu-west-1')] },
        });
      }
    }
  });

  it('14. X-Ray integration: active tracing on every function, XRAY_ENABLED, traced state machine, X-Ray endpoint', () => {
    for (const t of all()) {
      for (const [, fn] of platformFunctions(t)) {
        expect(props(fn).TracingConfig).toEqual({ Mode: 'Active' });
        expect((props(fn).Environment as { Variables: Json }).Variables.XRAY_ENABLED).toBe('true');
      }
      t.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true } });
      t.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: Match.stringLikeRegexp('xray') });
    }
  });
});

describe('stack outputs', () => {
  it('name every resource the console and the operators read in AWS mode', () => {
    // The aws adapter's keys are checked against server/platform/aws in stack-outputs.test.ts.
    const common = [
      'Stage',
      'BusName',
      'BusArn',
      'BusDlqUrl',
      'BusDlqArn',
      'ArchiveName',
      'ArchiveArn',
      'QueuePairProcessingSourceUrl',
      'QueuePairProcessingSourceArn',
      'QueuePairProcessingDlqUrl',
      'QueuePairProcessingDlqArn',
      'StateMachineArn',
      'ProcessorFunctionName',
      'AlarmTopicArn',
      'DashboardName',
      'AlarmPrefix',
      'SizedForEventsPerMinute',
      'IdempotencyTableName',
      'SagaTableName',
      'LedgerTableName',
      'ArchiveIndexTableName',
      'OperatorRoleArnViewer',
      'OperatorRoleArnOperator',
      'OperatorRoleArnApprover',
      'OperatorRoleArnAdmin',
    ];
    const primaryOnly = ['AuditTableName'];
    for (const t of [staging, prodPrimary])
      expect(Object.keys(t.toJSON().Outputs as Json)).toEqual(expect.arrayContaining([...common, ...primaryOnly]));
    expect(Object.keys(prodSecondary.toJSON().Outputs as Json)).toEqual(expect.arrayContaining(common));
    // The console runs as its own task roles (console stack): the platform has no console runtime role.
    for (const t of [staging, prodPrimary, prodSecondary]) {
      expect(Object.keys(t.toJSON().Outputs as Json)).not.toContain('ConsoleRuntimeRoleArn');
      expect(JSON.stringify(t.findResources('AWS::IAM::Role'))).not.toContain('-console-runtime');
    }
    expect(Object.keys(prodPrimary.toJSON().Outputs as Json)).toEqual(
      expect.arrayContaining([
        'GlobalEndpointUrl',
        'GlobalEndpointName',
        'GlobalEndpointId',
        'EndpointReplicationRoleArn',
      ]),
    );
    prodPrimary.hasOutput('QueuePairProcessingDlqArn', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MessagingprocessingDlq'), 'Arn'] },
    });
    // The secondary stack names the roles the primary stack creates (IAM is global).
    prodSecondary.hasOutput('OperatorRoleArnViewer', {
      Value: { 'Fn::Join': ['', Match.arrayWith([':role/ledgerline-production-console-viewer'])] },
    });
  });
});
