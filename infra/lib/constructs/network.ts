/**
 * The platform's network: a VPC with private isolated subnets only (no NAT, no internet
 * gateway), interface endpoints for every AWS API the functions call, a DynamoDB gateway
 * endpoint, and flow logs to an encrypted log group. The endpoints' security group admits
 * HTTPS (443) only from the functions' security group; the functions' group sends HTTPS only
 * to the endpoints' group and to the DynamoDB prefix list (resolved at deploy time, see
 * `DynamoDbPrefixList`). Every endpoint's policy admits only principals of this account
 * (and, where the API names a resource, only resources of this account).
 *
 * What the functions call (infra/lambda/**), and how each call leaves the VPC:
 * DynamoDB (processor, saga tasks, archive indexer, idempotency) -> gateway endpoint;
 * Step Functions StartExecution (processor), EventBridge PutEvents (saga tasks), SQS
 * Get/SetQueueAttributes (visibility-timeout adjuster), CloudWatch GetMetricData/DescribeAlarms
 * (adjuster, circuit breaker), Lambda Get/UpdateEventSourceMapping (circuit breaker) ->
 * interface endpoints. Logs and metrics (EMF) go to stdout and traces to the Lambda-provided
 * X-Ray daemon, both outside the function's ENI; the Logs, X-Ray, Monitoring, KMS and STS
 * endpoints serve any SDK call that does go through the VPC. No function calls S3, except on
 * staging, where the FIS Lambda extension of the fault targets reads its configuration bucket:
 * there (only) the functions' group gets a third rule, HTTPS to the S3 prefix list
 * (`allowS3Egress`, via the console stack's S3 gateway route on the isolated route tables).
 */
import { Stack, type RemovalPolicy } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpoint,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { AnyPrincipal, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ManagedPolicyRole } from './managed-policy-role';
import { ManagedPrefixListLookup } from './prefix-list';

export interface NetworkProps {
  /** Key for the flow-log group. */
  key: IKey;
  /** Retention of the flow logs. */
  logRetention: RetentionDays;
  /** Log group removal policy (RETAIN in production). */
  removalPolicy: RemovalPolicy;
  /** CIDR of the VPC. */
  cidr?: string;
  /** Number of AZs (2 without an account/region lookup). */
  maxAzs?: number;
}

/** Interface endpoints, by the API they serve. Lambda: the circuit breaker updates mappings. */
export const interfaceEndpoints = {
  Sqs: InterfaceVpcEndpointAwsService.SQS,
  XRay: InterfaceVpcEndpointAwsService.XRAY,
  EventBridge: InterfaceVpcEndpointAwsService.EVENTBRIDGE,
  StepFunctions: InterfaceVpcEndpointAwsService.STEP_FUNCTIONS,
  CloudWatchMonitoring: InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  CloudWatchLogs: InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  Kms: InterfaceVpcEndpointAwsService.KMS,
  Sts: InterfaceVpcEndpointAwsService.STS,
  Lambda: InterfaceVpcEndpointAwsService.LAMBDA,
} as const;

export class Network extends Construct {
  readonly vpc: Vpc;
  /** Attach to every function: egress 443 only. */
  readonly functionsSecurityGroup: SecurityGroup;
  readonly endpointsSecurityGroup: SecurityGroup;
  /** The DynamoDB gateway endpoint's managed prefix list, resolved at deploy time. */
  readonly dynamoDbPrefixList: ManagedPrefixListLookup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(props.cidr ?? '10.40.0.0/16'),
      maxAzs: props.maxAzs ?? 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 22 }],
      restrictDefaultSecurityGroup: true,
      gatewayEndpoints: { DynamoDb: { service: GatewayVpcEndpointAwsService.DYNAMODB } },
    });

    const flowLogGroup = new LogGroup(this, 'FlowLogs', {
      encryptionKey: props.key,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const flowLogRole = new ManagedPolicyRole(this, 'FlowLogRole', {
      assumedBy: new ServicePrincipal('vpc-flow-logs.amazonaws.com'),
      description: 'Delivers VPC flow logs to the encrypted flow-log group',
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: FlowLogDestination.toCloudWatchLogs(flowLogGroup, flowLogRole),
      trafficType: FlowLogTrafficType.ALL,
    });

    this.functionsSecurityGroup = new SecurityGroup(this, 'FunctionsSg', {
      vpc: this.vpc,
      description: 'Ledgerline functions: HTTPS out to the VPC endpoints only',
      allowAllOutbound: false,
    });
    this.endpointsSecurityGroup = new SecurityGroup(this, 'EndpointsSg', {
      vpc: this.vpc,
      description: 'Ledgerline interface endpoints: HTTPS in from the functions only',
      allowAllOutbound: false,
    });
    this.endpointsSecurityGroup.addIngressRule(
      this.functionsSecurityGroup,
      Port.tcp(443),
      'HTTPS from the platform functions',
    );
    this.functionsSecurityGroup.addEgressRule(
      this.endpointsSecurityGroup,
      Port.tcp(443),
      'HTTPS to the interface endpoints',
    );
    // DynamoDB is reached through the gateway endpoint: its managed prefix list (an id that
    // differs per region) is resolved at deploy time, so synth needs no credentials.
    this.dynamoDbPrefixList = new ManagedPrefixListLookup(this, 'DynamoDbPrefixList', {
      service: 'dynamodb',
      key: props.key,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.functionsSecurityGroup.addEgressRule(
      Peer.prefixList(this.dynamoDbPrefixList.prefixListId),
      Port.tcp(443),
      'HTTPS to the DynamoDB gateway endpoint (its managed prefix list)',
    );

    const account = Stack.of(this).account;
    for (const name of Object.keys(interfaceEndpoints) as EndpointName[]) {
      const service = interfaceEndpoints[name];
      const endpoint = this.vpc.addInterfaceEndpoint(name, {
        service,
        privateDnsEnabled: true,
        securityGroups: [this.endpointsSecurityGroup],
        open: false,
        subnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      });
      endpoint.addToPolicy(endpointStatement(endpointScopes[name], account));
    }
    const dynamoDb = this.vpc.node.findChild('DynamoDb');
    if (!(dynamoDb instanceof GatewayVpcEndpoint))
      throw new Error(`${this.node.path}: the DynamoDB gateway endpoint is not a GatewayVpcEndpoint`);
    dynamoDb.addToPolicy(endpointStatement(dynamoDbScope, account));
  }

  /**
   * STAGING ONLY (constructs/e2e-staging.ts calls it; production never does): a third egress
   * rule of the functions' group, HTTPS to the S3 managed prefix list (resolved at deploy time),
   * for the FIS Lambda extension's reads of its configuration bucket. The route is the S3
   * gateway endpoint the console stack associates with the isolated route tables (for the
   * audit archiver): a route table takes one gateway route per service, so the platform adds
   * no second S3 endpoint there. What the functions may read stays their roles' to decide.
   * The id is resolved by the DynamoDB lookup's provider, role and log group.
   */
  allowS3Egress(description: string): string {
    const prefixListId = this.dynamoDbPrefixList.lookUp(this, 'S3PrefixList', 's3');
    this.functionsSecurityGroup.addEgressRule(Peer.prefixList(prefixListId), Port.tcp(443), description);
    return prefixListId;
  }
}

/** What an endpoint policy admits: the service's IAM prefix, and whether calls name a resource of this account. */
export interface EndpointScope {
  actionPrefix: string;
  /**
   * True when every call the platform makes through the endpoint names a resource
   * (queue, bus, state machine, table, key, function/mapping), so `aws:ResourceAccount` can
   * be required. False for APIs whose calls carry no resource (X-Ray PutTraceSegments,
   * CloudWatch PutMetricData/GetMetricData, Logs Describe*, STS GetCallerIdentity/AssumeRole
   * chains): a condition on a key the request lacks denies it, so only the principal's
   * account is required there.
   */
  resourceAccount: boolean;
}

type EndpointName = keyof typeof interfaceEndpoints;

export const endpointScopes: Record<EndpointName, EndpointScope> = {
  Sqs: { actionPrefix: 'sqs', resourceAccount: true },
  XRay: { actionPrefix: 'xray', resourceAccount: false },
  EventBridge: { actionPrefix: 'events', resourceAccount: true },
  StepFunctions: { actionPrefix: 'states', resourceAccount: true },
  CloudWatchMonitoring: { actionPrefix: 'cloudwatch', resourceAccount: false },
  CloudWatchLogs: { actionPrefix: 'logs', resourceAccount: false },
  Kms: { actionPrefix: 'kms', resourceAccount: true },
  Sts: { actionPrefix: 'sts', resourceAccount: false },
  Lambda: { actionPrefix: 'lambda', resourceAccount: true },
};

export const dynamoDbScope: EndpointScope = { actionPrefix: 'dynamodb', resourceAccount: true };

/** The endpoint policy statement: the service's actions, by principals (and on resources) of this account only. */
export function endpointStatement(scope: EndpointScope, account: string): PolicyStatement {
  return new PolicyStatement({
    sid: scope.resourceAccount ? 'ThisAccountPrincipalsAndResources' : 'ThisAccountPrincipals',
    principals: [new AnyPrincipal()],
    actions: [`${scope.actionPrefix}:*`],
    resources: ['*'],
    conditions: {
      StringEquals: {
        'aws:PrincipalAccount': account,
        ...(scope.resourceAccount ? { 'aws:ResourceAccount': account } : {}),
      },
    },
  });
}
