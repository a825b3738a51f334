/**
 * Alarm wiring of the synthesized templates (requirement 6): the replication-latency alarm
 * watches the endpoint's id, each stage's saga-failures alarm watches its own metric, the
 * alarm topic notifies someone, and the functions DLQ is watched.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { alarmName, metricsFor, namesFor, primaryRegion, secondaryRegion } from '../platform/description';
import { resourcesOf, synthesize, TEST_ALARM_EMAIL, type Synthesized } from './synth';

type Json = Record<string, unknown>;
const props = (r: { Properties?: Json }): Json => r.Properties ?? {};

function alarmOf(t: Template, name: string): [string, Json] {
  const found = resourcesOf(t, 'AWS::CloudWatch::Alarm').find(([, a]) => props(a).AlarmName === name);
  if (!found) throw new Error(`no alarm ${name}`);
  return [found[0], props(found[1])];
}

let app: Synthesized;
let staging: Template;
let prodPrimary: Template;
let prodSecondary: Template;
beforeAll(() => {
  app = synthesize({ nag: false });
  staging = app.template('staging', primaryRegion);
  prodPrimary = app.template('production', primaryRegion);
  prodSecondary = app.template('production', secondaryRegion);
});

describe('replication-latency alarm', () => {
  it("watches the global endpoint's id (not its name), under the endpoint's condition", () => {
    const endpoints = resourcesOf(prodPrimary, 'AWS::Events::Endpoint');
    expect(endpoints).toHaveLength(1);
    const [endpointId, endpoint] = endpoints[0]!;
    const [, alarm] = alarmOf(prodPrimary, alarmName('production', 'replication-latency'));
    expect(alarm).toMatchObject({ Namespace: 'AWS/Events', MetricName: 'ReplicationLatency' });
    expect(alarm.Dimensions).toEqual([{ Name: 'EndpointId', Value: { 'Fn::GetAtt': [endpointId, 'EndpointId'] } }]);
    const raw = prodPrimary.toJSON() as { Resources: Record<string, { Condition?: string }> };
    const alarmLogicalId = alarmOf(prodPrimary, alarmName('production', 'replication-latency'))[0];
    expect(endpoint.Condition).toBeDefined();
    expect(raw.Resources[alarmLogicalId]!.Condition).toBe(endpoint.Condition);
  });

  it('is in the dashboard of the stack that has the endpoint, by ARN', () => {
    const [, dashboard] = resourcesOf(prodPrimary, 'AWS::CloudWatch::Dashboard')[0]!;
    expect(JSON.stringify(props(dashboard).DashboardBody)).toContain(
      `alarm:${alarmName('production', 'replication-latency')}`,
    );
  });
});

describe('saga-failures metric', () => {
  const filterMetric = (t: Template) => {
    const filters = resourcesOf(t, 'AWS::Logs::MetricFilter');
    expect(filters).toHaveLength(1);
    const transformations = props(filters[0]![1]).MetricTransformations as Json[];
    expect(transformations).toHaveLength(1);
    return transformations[0]!;
  };

  it("is published per stage, and each stage's alarm watches its own", () => {
    const published = new Map<string, string>();
    for (const [stage, t] of [
      ['staging', staging],
      ['production', prodPrimary],
      ['production', prodSecondary],
    ] as const) {
      const def = metricsFor(stage).find((m) => m.id === 'saga.failed')!;
      const m = filterMetric(t);
      expect(m).toMatchObject({ MetricNamespace: def.namespace, MetricName: def.metricName, MetricValue: '1' });
      published.set(stage, `${String(m.MetricNamespace)}/${String(m.MetricName)}`);
      const [, alarm] = alarmOf(t, alarmName(stage, 'saga-failed-executions'));
      expect(alarm).toMatchObject({ Namespace: m.MetricNamespace, MetricName: m.MetricName });
      expect(alarm.Dimensions ?? []).toEqual([]);
    }
    expect(published.get('staging')).not.toBe(published.get('production'));
  });
});

describe('alarm notifications', () => {
  it('subscribes the configured address to the alarm topic of every stage', () => {
    for (const t of [staging, prodPrimary, prodSecondary]) {
      const [topicId] = resourcesOf(t, 'AWS::SNS::Topic')[0]!;
      const subs = resourcesOf(t, 'AWS::SNS::Subscription').map(([, s]) => props(s));
      expect(subs).toEqual([{ Protocol: 'email', Endpoint: TEST_ALARM_EMAIL, TopicArn: { Ref: topicId } }]);
    }
  });

  it('subscribes several emails and HTTPS URLs from context', () => {
    const t = synthesize({
      nag: false,
      stages: ['staging'],
      context: { alarmEmails: 'a@bank.example, b@bank.example', alarmHttpsUrls: ['https://pager.bank.example/hook'] },
    }).template('staging', primaryRegion);
    const subs = resourcesOf(t, 'AWS::SNS::Subscription').map(([, s]) => [props(s).Protocol, props(s).Endpoint]);
    expect(subs).toEqual([
      ['email', 'a@bank.example'],
      ['email', 'b@bank.example'],
      ['https', 'https://pager.bank.example/hook'],
    ]);
  });

  it('refuses to synthesize production without a subscription', () => {
    expect(() => synthesize({ nag: false, stages: ['production'], context: { alarmEmails: undefined } })).toThrow(
      /production alarm topic has no subscription.*alarmEmails/,
    );
  });

  it('synthesizes staging without a subscription, and production only as a local synth', () => {
    const none = { alarmEmails: undefined };
    const s = synthesize({ nag: false, stages: ['staging'], context: none }).template('staging', primaryRegion);
    s.resourceCountIs('AWS::SNS::Subscription', 0);
    const p = synthesize({ nag: false, stages: ['production'], context: { ...none, localSynth: 'true' } });
    p.template('production', primaryRegion).resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('rejects an address that is not an email and a URL that is not HTTPS', () => {
    expect(() => synthesize({ nag: false, stages: ['staging'], context: { alarmEmails: 'oncall' } })).toThrow(
      /alarmEmails: "oncall" is not an email address/,
    );
    expect(() =>
      synthesize({ nag: false, stages: ['staging'], context: { alarmHttpsUrls: 'http://pager.example/hook' } }),
    ).toThrow(/alarmHttpsUrls: "http:\/\/pager.example\/hook" is not an https:\/\/ URL/);
  });
});

describe('functions DLQ', () => {
  it("has a depth alarm on the functions DLQ's ApproximateNumberOfMessagesVisible in every stack", () => {
    for (const [stage, t] of [
      ['staging', staging],
      ['production', prodPrimary],
      ['production', prodSecondary],
    ] as const) {
      const queueName = namesFor(stage).functionsDlqName;
      const queues = resourcesOf(t, 'AWS::SQS::Queue').filter(([, q]) => props(q).QueueName === queueName);
      expect(queues, `${stage} functions DLQ named ${queueName}`).toHaveLength(1);
      // The queue the functions dead-letter to is the one the alarm watches.
      const dlqTargets = resourcesOf(t, 'AWS::Lambda::EventInvokeConfig').map(([, c]) =>
        JSON.stringify(props(c).DestinationConfig ?? {}),
      );
      const [queueId] = queues[0]!;
      const deadLetterConfigs = resourcesOf(t, 'AWS::Lambda::Function').map(([, f]) =>
        JSON.stringify(props(f).DeadLetterConfig ?? {}),
      );
      expect([...dlqTargets, ...deadLetterConfigs].some((c) => c.includes(queueId))).toBe(true);
      const [, alarm] = alarmOf(t, alarmName(stage, 'functions-dlq-depth'));
      expect(alarm).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: queueName }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
      });
      expect(JSON.stringify(alarm.AlarmActions)).toContain('AlarmTopic');
    }
  });
});

describe('Step Functions StartExecution quota', () => {
  it('has an alarm on throttled StartExecution calls in every stack, notifying the alarm topic', () => {
    for (const [stage, t] of [
      ['staging', staging],
      ['production', prodPrimary],
      ['production', prodSecondary],
    ] as const) {
      const [, alarm] = alarmOf(t, alarmName(stage, 'saga-start-throttled'));
      expect(alarm, stage).toMatchObject({
        Namespace: 'AWS/States',
        MetricName: 'ThrottledEvents',
        Dimensions: [{ Name: 'APIName', Value: 'StartExecution' }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
      });
      expect(JSON.stringify(alarm.AlarmActions)).toContain('AlarmTopic');
    }
  });
});
