/**
 * The platform's network: a VPC with private isolated subnets only (no NAT, no internet
 * gateway), interface endpoints for every AWS API the functions call, a DynamoDB gateway
 * endpoint, and flow logs to an encrypted log group. The endpoints' security group admits
 * HTTPS (443) only from the functions' security group.
 */
import { type RemovalPolicy } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ManagedPolicyRole } from './managed-policy-role';

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
    // DynamoDB is reached through the gateway endpoint, whose prefix list id is only known in
    // the deployed region; the isolated subnets have no other route out, so 443 to any address
    // can only reach the gateway endpoint.
    this.functionsSecurityGroup.addEgressRule(
      Peer.anyIpv4(),
      Port.tcp(443),
      'HTTPS to the DynamoDB gateway endpoint (isolated subnets: no other route)',
    );

    for (const [name, service] of Object.entries(interfaceEndpoints)) {
      this.vpc.addInterfaceEndpoint(name, {
        service,
        privateDnsEnabled: true,
        securityGroups: [this.endpointsSecurityGroup],
        open: false,
        subnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      });
    }
  }
}
