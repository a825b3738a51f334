/**
 * The console's network inside the platform VPC of its region (the platform's isolated subnets
 * and its endpoints stay as they are):
 *  - two public subnets (one per AZ, no public IP on launch) behind a new internet gateway,
 *    holding only the internet-facing ALB and one NAT gateway per AZ. The ALB must reach the
 *    IdP's token and user-info endpoints (OIDC), and operators reach the ALB from outside.
 *  - two private console subnets (one per AZ) whose only default route is that AZ's NAT: the
 *    tasks verify the ALB's token signature with keys served only at
 *    `public-keys.auth.elb.<region>.amazonaws.com`, and read the stage's other region
 *    (CloudFormation, SQS, ...), which no VPC endpoint of this region serves.
 *  - the endpoints the tasks need that the platform has not got: ECR api + dkr, Secrets Manager,
 *    CloudFormation (interface), S3 (gateway: ECR layers and the audit archive, also on the
 *    platform's isolated route tables for the archiver), and a DynamoDB gateway endpoint on the
 *    console route tables (a gateway endpoint serves only the route tables it is associated
 *    with; the platform's is associated with the isolated ones). Logs, STS, KMS, SQS, events,
 *    states and monitoring are the platform's interface endpoints (private DNS, VPC-wide): the
 *    tasks' security group is admitted to the platform endpoints' group.
 */
import { Stack, Token } from 'aws-cdk-lib';
import {
  CfnInternetGateway,
  CfnSecurityGroupIngress,
  CfnVPC,
  CfnVPCGatewayAttachment,
  GatewayVpcEndpoint,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  Peer,
  Port,
  PrivateSubnet,
  PublicSubnet,
  SecurityGroup,
  type ISecurityGroup,
  type IVpc,
} from 'aws-cdk-lib/aws-ec2';
import { AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CONSOLE_PORT } from '../../platform/console';
import { acknowledge } from '../nag';
import { endpointStatement, type EndpointScope } from './network';

export interface ConsoleNetworkProps {
  vpc: IVpc;
  /** The platform's interface endpoints' security group (admits HTTPS from the console tasks too). */
  platformEndpointsSecurityGroup: ISecurityGroup;
  /** Index of the first /24 of the VPC CIDR the console subnets use (4 consecutive /24s). */
  firstSubnetIndex?: number;
}

/** The console's own interface endpoints and what their policies admit. */
export const consoleInterfaceEndpoints = {
  EcrApi: [InterfaceVpcEndpointAwsService.ECR, { actionPrefix: 'ecr', resourceAccount: false }],
  EcrDocker: [InterfaceVpcEndpointAwsService.ECR_DOCKER, { actionPrefix: 'ecr', resourceAccount: false }],
  SecretsManager: [
    InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    { actionPrefix: 'secretsmanager', resourceAccount: true },
  ],
  CloudFormation: [
    InterfaceVpcEndpointAwsService.CLOUDFORMATION,
    { actionPrefix: 'cloudformation', resourceAccount: true },
  ],
} as const satisfies Record<string, [InterfaceVpcEndpointAwsService, EndpointScope]>;

/** The platform VPC's CIDR as written in its template (a literal: Fn::Cidr cannot take a cross-stack value). */
function platformVpcCidr(vpc: IVpc): string {
  const cfn = vpc.node.defaultChild;
  const block = cfn instanceof CfnVPC ? cfn.cidrBlock : undefined;
  if (!block || Token.isUnresolved(block))
    throw new Error(`${vpc.node.path}: the console needs the VPC's literal CIDR`);
  return block;
}

/** The `index`-th /24 of an IPv4 /16 (the console's subnets sit far above the platform's /22s). */
export function consoleSubnetCidr(vpcCidr: string, index: number): string {
  const m = /^(\d+)\.(\d+)\.0\.0\/16$/.exec(vpcCidr);
  if (!m) throw new Error(`the console subnets are carved from a /16 VPC CIDR, got ${vpcCidr}`);
  if (!Number.isInteger(index) || index < 0 || index > 255) throw new Error(`no /24 number ${index} in a /16`);
  return `${m[1]}.${m[2]}.${index}.0/24`;
}

export class ConsoleNetwork extends Construct {
  readonly publicSubnets: PublicSubnet[] = [];
  readonly privateSubnets: PrivateSubnet[] = [];
  readonly albSecurityGroup: SecurityGroup;
  readonly tasksSecurityGroup: SecurityGroup;
  /** For the audit archiver (platform isolated subnets: only the S3 gateway route leaves them). */
  readonly archiverSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: ConsoleNetworkProps) {
    super(scope, id);
    const { vpc } = props;
    const account = Stack.of(this).account;
    const first = props.firstSubnetIndex ?? 200;
    const cidr = (i: number) => consoleSubnetCidr(platformVpcCidr(vpc), first + i);
    const azs = vpc.isolatedSubnets.slice(0, 2).map((s) => s.availabilityZone);
    if (azs.length < 2) throw new Error(`${this.node.path}: the platform VPC needs two AZs for the console`);

    const igw = new CfnInternetGateway(this, 'InternetGateway');
    const attachment = new CfnVPCGatewayAttachment(this, 'InternetGatewayAttachment', {
      vpcId: vpc.vpcId,
      internetGatewayId: igw.ref,
    });
    azs.forEach((availabilityZone, i) => {
      const pub = new PublicSubnet(this, `Public${i + 1}`, {
        vpcId: vpc.vpcId,
        availabilityZone,
        cidrBlock: cidr(i),
        mapPublicIpOnLaunch: false,
      });
      pub.addDefaultInternetRoute(igw.ref, attachment);
      const nat = pub.addNatGateway();
      const priv = new PrivateSubnet(this, `Private${i + 1}`, {
        vpcId: vpc.vpcId,
        availabilityZone,
        cidrBlock: cidr(2 + i),
        mapPublicIpOnLaunch: false,
      });
      priv.addDefaultNatRoute(nat.ref);
      this.publicSubnets.push(pub);
      this.privateSubnets.push(priv);
      acknowledge(
        pub,
        'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
        'Public subnet of the console: it holds only the internet-facing ALB (operators sign in from outside, the ALB calls the IdP) and the NAT gateway; no task, function or data store is placed here.',
      );
      acknowledge(
        pub,
        'PCI.DSS.321-VPCNoUnrestrictedRouteToIGW',
        'Public subnet of the console: it holds only the internet-facing ALB (operators sign in from outside, the ALB calls the IdP) and the NAT gateway; no task, function or data store is placed here.',
      );
    });

    this.albSecurityGroup = new SecurityGroup(this, 'AlbSg', {
      vpc,
      description: 'Ledgerline console ALB: HTTPS and the HTTP redirect in, tasks and IdP out',
      allowAllOutbound: false,
    });
    this.tasksSecurityGroup = new SecurityGroup(this, 'TasksSg', {
      vpc,
      description: 'Ledgerline console tasks: the ALB in, HTTPS out (endpoints, NAT)',
      allowAllOutbound: false,
    });
    this.archiverSecurityGroup = new SecurityGroup(this, 'ArchiverSg', {
      vpc,
      description: 'Ledgerline audit archiver: HTTPS out (the S3 gateway endpoint is its only route)',
      allowAllOutbound: false,
    });
    this.albSecurityGroup.addIngressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS from operators');
    this.albSecurityGroup.addIngressRule(Peer.anyIpv4(), Port.tcp(80), 'HTTP, redirected to HTTPS');
    this.albSecurityGroup.addEgressRule(this.tasksSecurityGroup, Port.tcp(CONSOLE_PORT), 'To the console tasks');
    this.albSecurityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'To the IdP token and user-info endpoints');
    this.tasksSecurityGroup.addIngressRule(this.albSecurityGroup, Port.tcp(CONSOLE_PORT), 'From the console ALB');
    this.tasksSecurityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS: VPC endpoints, ALB keys via NAT');
    this.archiverSecurityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to S3 (gateway endpoint)');
    acknowledge(
      this.albSecurityGroup,
      'AwsSolutions-EC23',
      'The console ALB is the operators’ entry point from the internet: 443 (OIDC sign-in enforced by the listener, WAF in front) and 80 (redirect only) are open by design.',
    );

    // The platform's interface endpoints admit the console tasks (rule created in this stack).
    new CfnSecurityGroupIngress(this, 'PlatformEndpointsFromTasks', {
      groupId: props.platformEndpointsSecurityGroup.securityGroupId,
      sourceSecurityGroupId: this.tasksSecurityGroup.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'HTTPS from the Ledgerline console tasks',
    });

    const endpointsSg = new SecurityGroup(this, 'EndpointsSg', {
      vpc,
      description: 'Ledgerline console interface endpoints: HTTPS in from the console tasks only',
      allowAllOutbound: false,
    });
    endpointsSg.addIngressRule(this.tasksSecurityGroup, Port.tcp(443), 'HTTPS from the console tasks');
    for (const [name, [service, scope]] of Object.entries(consoleInterfaceEndpoints)) {
      const endpoint = new InterfaceVpcEndpoint(this, name, {
        vpc,
        service,
        privateDnsEnabled: true,
        open: false,
        securityGroups: [endpointsSg],
        subnets: { subnets: this.privateSubnets },
      });
      endpoint.addToPolicy(endpointStatement(scope, account));
    }

    const s3 = new GatewayVpcEndpoint(this, 'S3', {
      vpc,
      service: GatewayVpcEndpointAwsService.S3,
      subnets: [{ subnets: this.privateSubnets }, { subnets: vpc.isolatedSubnets }],
    });
    s3.addToPolicy(endpointStatement({ actionPrefix: 's3', resourceAccount: true }, account));
    // ECR image layers live in an AWS-owned bucket of the region (documented ECR endpoint policy).
    s3.addToPolicy(
      new PolicyStatement({
        sid: 'EcrImageLayers',
        principals: [new AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: [`arn:${Stack.of(this).partition}:s3:::prod-${Stack.of(this).region}-starport-layer-bucket/*`],
      }),
    );
    const dynamoDb = new GatewayVpcEndpoint(this, 'DynamoDb', {
      vpc,
      service: GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [{ subnets: this.privateSubnets }],
    });
    dynamoDb.addToPolicy(endpointStatement({ actionPrefix: 'dynamodb', resourceAccount: true }, account));
  }
}
