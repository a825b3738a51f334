/**
 * The EventBridge global endpoint (AWS::Events::Endpoint) of the production stage: producers
 * send to the endpoint, which routes to the primary bus while the Route 53 health check is
 * healthy and fails over to the secondary region's bus (same name) otherwise. Replication is
 * on, with its own role, so events reach both buses and the secondary archive stays complete.
 *
 * The health check watches the `endpoint-health` CloudWatch alarm (no matched events on the
 * primary bus for 5 minutes). So that a quiet night is not read as an outage, a heartbeat
 * puts one event a minute on the primary bus (default-bus schedule -> bus target) and a rule
 * on the bus matches it into a 60-second heartbeat queue: MatchedEvents stays >= 1 while the
 * bus works, and drops to 0 when EventBridge in the primary region cannot take or match events. The secondary region's
 * stack, created only for production and decided at synth time, deploys first (it owns the
 * secondary bus and key).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnEndpoint, Rule, Schedule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnHealthCheck } from 'aws-cdk-lib/aws-route53';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, renderForNag } from '../nag';
import { ManagedPolicyRole } from './managed-policy-role';

export interface GlobalEndpointProps {
  endpointName: string;
  primaryBus: IEventBus;
  primaryKey: IKey;
  secondaryRegion: string;
  /** ARN of the secondary region's bus (same name, created by the secondary stack). */
  secondaryBusArn: string;
  /** Alias of the stage key; the secondary key carries the same alias in its region. */
  keyAliasName: string;
  /** The alarm whose state is the primary region's health. */
  healthAlarm: IAlarm;
  /** Dead letters of the heartbeat's delivery to the bus. */
  heartbeatDlq: IQueue;
  key: IKey;
  heartbeatQueueName: string;
}

export class GlobalEndpoint extends Construct {
  readonly endpoint: CfnEndpoint;
  readonly healthCheck: CfnHealthCheck;
  readonly replicationRole: ManagedPolicyRole;
  readonly heartbeat: Rule;

  constructor(scope: Construct, id: string, props: GlobalEndpointProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.healthCheck = new CfnHealthCheck(this, 'HealthCheck', {
      healthCheckConfig: {
        type: 'CLOUDWATCH_METRIC',
        alarmIdentifier: { name: props.healthAlarm.alarmName, region: stack.region },
        insufficientDataHealthStatus: 'LastKnownStatus',
      },
      healthCheckTags: [{ key: 'Name', value: `${props.endpointName}-primary-health` }],
    });

    this.replicationRole = new ManagedPolicyRole(this, 'ReplicationRole', {
      assumedBy: new ServicePrincipal('events.amazonaws.com'),
      description: `Replicates events between the buses of ${props.endpointName}`,
    });
    this.replicationRole.addToPolicy(
      new PolicyStatement({
        sid: 'PutToBothBuses',
        actions: ['events:PutEvents'],
        resources: [props.primaryBus.eventBusArn, props.secondaryBusArn],
      }),
    );
    props.primaryKey.grant(this.replicationRole, 'kms:Decrypt', 'kms:GenerateDataKey');
    const secondaryKeys = stack.formatArn({
      service: 'kms',
      region: props.secondaryRegion,
      resource: 'key',
      resourceName: '*',
    });
    this.replicationRole.addToPolicy(
      new PolicyStatement({
        sid: 'SecondaryBusKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [secondaryKeys],
        conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': props.keyAliasName } },
      }),
    );
    acknowledge(
      this.replicationRole,
      `AwsSolutions-IAM5[Resource::${renderForNag(this, secondaryKeys)}]`,
      'The secondary region key is created by the eu-west-1 stack; its id is unknown here, so the statement is narrowed by kms:ResourceAliases to the stage key alias.',
    );

    const heartbeatRole = new ManagedPolicyRole(this, 'HeartbeatRole', {
      assumedBy: new ServicePrincipal('events.amazonaws.com'),
      description: `Puts the one-a-minute heartbeat on the primary bus of ${props.endpointName}`,
    });
    this.heartbeat = new Rule(this, 'Heartbeat', {
      description: 'One event a minute on the primary bus: keeps the endpoint-health signal alive in quiet periods',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new EventBusTarget(props.primaryBus, { role: heartbeatRole, deadLetterQueue: props.heartbeatDlq })],
    });
    const heartbeats = new Queue(this, 'HeartbeatQueue', {
      queueName: props.heartbeatQueueName,
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(60),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const why =
      'The heartbeat queue only gives the heartbeat rule a target; nobody consumes it and its messages expire after 60 s, so there is nothing to dead-letter.';
    acknowledge(heartbeats, 'AwsSolutions-SQS3', why);
    acknowledge(heartbeats, 'Serverless-SQSRedrivePolicy', why);
    new Rule(this, 'HeartbeatMatch', {
      eventBus: props.primaryBus,
      description: 'Matches the heartbeat so it counts in MatchedEvents (the endpoint-health signal)',
      eventPattern: { source: ['aws.events'], detailType: ['Scheduled Event'], resources: [this.heartbeat.ruleArn] },
      targets: [
        new SqsQueue(heartbeats, {
          deadLetterQueue: props.heartbeatDlq,
          maxEventAge: Duration.minutes(5),
          retryAttempts: 2,
        }),
      ],
    });

    this.endpoint = new CfnEndpoint(this, 'Endpoint', {
      name: props.endpointName,
      description: `Ledgerline global endpoint: ${stack.region} primary, ${props.secondaryRegion} secondary`,
      eventBuses: [{ eventBusArn: props.primaryBus.eventBusArn }, { eventBusArn: props.secondaryBusArn }],
      routingConfig: {
        failoverConfig: {
          primary: {
            healthCheck: `arn:${stack.partition}:route53:::healthcheck/${this.healthCheck.attrHealthCheckId}`,
          },
          secondary: { route: props.secondaryRegion },
        },
      },
      replicationConfig: { state: 'ENABLED' },
      roleArn: this.replicationRole.roleArn,
    });
  }
}
