/**
 * The production stage's regional failover, wired into the primary stack: the global endpoint
 * (constructs/global-endpoint.ts) routing to the primary bus or the secondary region's bus,
 * created only when the template is deployed in the primary region, with its replication
 * latency alarm and its outputs. Scoped to the stack itself, so the endpoint, the condition and
 * the outputs keep their logical ids.
 */
import { Aws, CfnCondition, CfnOutput, Fn, type CfnResource, type Stack } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { PlatformNames } from '../../platform/description';
import { StackOutputKeys } from '../../platform/outputs';
import { GlobalEndpoint } from './global-endpoint';
import type { Observability } from './observability';

export interface FailoverProps {
  /** The stage's resource names (namesFor(stage)). */
  names: PlatformNames;
  /** The region the endpoint and its health check may be created in. */
  primaryRegion: string;
  /** The region the endpoint fails over to (its stack, deployed first, owns the bus there). */
  secondaryRegion: string;
  /** The primary bus (this stack's). */
  bus: IEventBus;
  /** The stage key of this region. */
  key: IKey;
  /** Alias of the stage key; the secondary key carries the same alias in its region. */
  keyAliasName: string;
  /** Dead letters of the heartbeat's delivery to the bus. */
  heartbeatDlq: IQueue;
  /** The alarms: `endpoint-health` drives the health check; the replication alarm is added. */
  observability: Observability;
}

export function addFailover(stack: Stack, props: FailoverProps): GlobalEndpoint {
  const { names, secondaryRegion } = props;
  const healthAlarm = props.observability.alarms.get('endpoint-health');
  if (!healthAlarm) throw new Error('the endpoint-health alarm is missing from alarmsFor()');
  const globalEndpoint = new GlobalEndpoint(stack, 'GlobalEndpoint', {
    endpointName: names.endpointName,
    primaryBus: props.bus,
    primaryKey: props.key,
    secondaryRegion,
    secondaryBusArn: stack.formatArn({
      service: 'events',
      region: secondaryRegion,
      resource: 'event-bus',
      resourceName: names.busName,
    }),
    keyAliasName: props.keyAliasName,
    healthAlarm,
    heartbeatDlq: props.heartbeatDlq,
    key: props.key,
    heartbeatQueueName: `${names.prefix}-heartbeat`,
  });
  // The seed's CreateSecondaryResources: the endpoint and its health check exist only when
  // this template is deployed in the primary region (guards a mis-targeted deploy).
  const inPrimaryRegion = new CfnCondition(stack, 'CreateSecondaryResources', {
    expression: Fn.conditionEquals(Aws.REGION, props.primaryRegion),
  });
  for (const c of [globalEndpoint.endpoint, globalEndpoint.healthCheck])
    (c as CfnResource).cfnOptions.condition = inPrimaryRegion;
  // ReplicationLatency's EndpointId is the endpoint's id: the alarm follows the endpoint.
  props.observability.watchGlobalEndpoint(globalEndpoint.endpoint, inPrimaryRegion);
  new CfnOutput(stack, 'GlobalEndpointUrl', {
    value: globalEndpoint.endpoint.attrEndpointUrl,
    condition: inPrimaryRegion,
    description: 'Producers PutEvents here (EndpointId)',
  });
  new CfnOutput(stack, StackOutputKeys.GlobalEndpointName, {
    value: names.endpointName,
    condition: inPrimaryRegion,
    description: 'Global endpoint (DescribeEndpoint)',
  });
  new CfnOutput(stack, StackOutputKeys.GlobalEndpointId, {
    value: globalEndpoint.endpoint.attrEndpointId,
    condition: inPrimaryRegion,
    description: 'Global endpoint id (metrics)',
  });
  new CfnOutput(stack, 'EndpointReplicationRoleArn', { value: globalEndpoint.replicationRole.roleArn });
  return globalEndpoint;
}
