/**
 * Deploy-time lookup of an AWS-managed prefix list id (the gateway-endpoint services, DynamoDB
 * and S3): EC2 DescribeManagedPrefixLists by name, from a CDK-provided custom-resource Lambda
 * outside the VPC, instead of a synth-time context lookup that would need credentials. The id
 * differs per region; a security group's egress rule to the service names it.
 */
import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge } from '../nag';
import { ManagedPolicyRole } from './managed-policy-role';

/** The services with a gateway endpoint, by the label of their prefix list name. */
const services = {
  dynamodb: { label: 'DynamoDB', resourceType: 'Custom::DynamoDbPrefixList' },
  s3: { label: 'S3', resourceType: 'Custom::S3PrefixList' },
} as const;
export type GatewayService = keyof typeof services;

/** AWS-managed prefix list name of a gateway-endpoint service in a region. */
export const managedPrefixListName = (service: GatewayService, region: string) => `com.amazonaws.${region}.${service}`;

export interface ManagedPrefixListLookupProps {
  service: GatewayService;
  key: IKey;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

const PREFIX_LIST_ID_PATH = 'PrefixLists.0.PrefixListId';

export class ManagedPrefixListLookup extends Construct {
  readonly prefixListId: string;
  /**
   * The role and log group of the stack's one AwsCustomResource provider function (a singleton:
   * the first AwsCustomResource of the stack gives it its role and log group). Further lookups
   * (`lookUp`) run as the same function, so they use these.
   */
  readonly role: ManagedPolicyRole;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ManagedPrefixListLookupProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { label } = services[props.service];
    const logGroup = new LogGroup(this, 'Logs', {
      encryptionKey: props.key,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Custom resource: reads the id of the ${label} managed prefix list`,
      statements: [
        new PolicyStatement({
          sid: 'DescribeManagedPrefixLists',
          actions: ['ec2:DescribeManagedPrefixLists'],
          resources: ['*'],
        }),
      ],
    });
    logGroup.grantWrite(role);
    this.role = role;
    this.logGroup = logGroup;
    this.prefixListId = this.lookUp(this, 'Lookup', props.service);

    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'ec2:DescribeManagedPrefixLists has no resource-level permissions (the service authorization reference lists "*" only); the role holds that one read action.',
    );
    const provider = stack.node.tryFindChild(`AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
    if (!provider)
      throw new Error(`${this.node.path}: the AwsCustomResource provider function was not found in the stack`);
    acknowledgeProvider(provider);
  }

  /** A deploy-time lookup of `service`'s prefix list id in the stack region, as this construct's role. */
  lookUp(scope: Construct, id: string, service: GatewayService): string {
    const call = {
      service: 'EC2',
      action: 'DescribeManagedPrefixLists',
      parameters: {
        Filters: [{ Name: 'prefix-list-name', Values: [managedPrefixListName(service, Stack.of(scope).region)] }],
      },
      physicalResourceId: PhysicalResourceId.fromResponse(PREFIX_LIST_ID_PATH),
      outputPaths: [PREFIX_LIST_ID_PATH],
    };
    const lookup = new AwsCustomResource(scope, id, {
      resourceType: services[service].resourceType,
      onCreate: call,
      onUpdate: call,
      role: this.role,
      logGroup: this.logGroup,
      memorySize: 256,
      timeout: Duration.minutes(2),
      installLatestAwsSdk: false,
    });
    return lookup.getResponseField(PREFIX_LIST_ID_PATH);
  }
}

const acknowledgedProviders = new WeakSet<IConstruct>();

/**
 * cdk-nag findings on the CDK-provided AwsCustomResource provider function (one per stack,
 * shared by every AwsCustomResource of the stack: acknowledged once), each with why it does not apply.
 */
function acknowledgeProvider(provider: IConstruct): void {
  if (acknowledgedProviders.has(provider)) return;
  acknowledgedProviders.add(provider);
  const outsideVpc =
    'Deploy-time custom-resource Lambda (no event data): it calls the regional EC2 API and PUTs its result to the CloudFormation pre-signed S3 URL; the isolated subnets deliberately have no EC2 or S3 endpoint, so it runs outside the VPC.';
  acknowledge(provider, 'PCI.DSS.321-LambdaInsideVPC', outsideVpc);
  acknowledge(provider, 'NIST.800.53.R5-LambdaInsideVPC', outsideVpc);
  acknowledge(
    provider,
    'NIST.800.53.R5-LambdaConcurrency',
    'Invoked only by CloudFormation, once per custom-resource create/update/delete; reserving concurrency would take capacity from the platform functions for nothing.',
  );
  const noDlq =
    'CloudFormation invokes it and waits for its response: a failure is reported to CloudFormation, which fails and rolls back the deployment; a dead-letter queue would hold an event nobody can replay.';
  acknowledge(provider, 'NIST.800.53.R5-LambdaDLQ', noDlq);
  acknowledge(provider, 'Serverless-LambdaDLQ', noDlq);
  acknowledge(
    provider,
    'Serverless-LambdaTracing',
    'One read-only EC2 call at deploy time, logged to its own encrypted log group and to CloudTrail; it is on no request path, so there is no trace to correlate (the CDK provider exposes no tracing setting).',
  );
}
