/**
 * The console on ECS Fargate (arm64): the image built from the repository's Dockerfile at deploy
 * time (ContainerImage.fromAsset stages the build context at synth; Docker runs only in
 * `cdk deploy`/`cdk-assets`), at least two tasks spread over the two AZs of the console's private
 * subnets, read-only root filesystem with writable scratch volumes, the session secret from
 * Secrets Manager, and an internet-facing ALB: HTTPS only (HTTP redirects), OIDC authentication
 * on the listener, WAF, access logs, invalid headers dropped, deletion protection.
 */
import { fileURLToPath } from 'node:url';
import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type { ISecurityGroup, ISubnet, IVpc } from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  AvailabilityZoneRebalancing,
  AwsLogDriverMode,
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  Secret as EcsSecret,
  FargateService,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  ApplicationTargetGroup,
  ListenerAction,
  ListenerCertificate,
  SslPolicy,
  TargetType,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CONSOLE_HEALTH_PATH, CONSOLE_PORT } from '../../platform/console';
import { acknowledge } from '../nag';
import type { ConsoleAuth } from './console-auth';
import { ManagedPolicyRole } from './managed-policy-role';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The container's health check (same as the Dockerfile HEALTHCHECK): GET the health path on the loopback. */
export const healthCheckScript = `fetch('http://127.0.0.1:${CONSOLE_PORT}${CONSOLE_HEALTH_PATH}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;

/** Tasks the service keeps running (one per AZ at least). */
export const CONSOLE_TASKS = 2;

export interface ConsoleServiceProps {
  serviceName: string;
  vpc: IVpc;
  privateSubnets: ISubnet[];
  publicSubnets: ISubnet[];
  albSecurityGroup: ISecurityGroup;
  tasksSecurityGroup: ISecurityGroup;
  taskRole: ManagedPolicyRole;
  /** Container environment (ConsoleEnv names), without the ALB ARN (added here). */
  environment: Record<string, string>;
  /** Env name of the session secret. */
  sessionSecretEnv: string;
  albArnEnv: string;
  certificateArn: string;
  /** The host operators use (default: the ALB's DNS name). */
  domainName?: string;
  auth: ConsoleAuth;
  logBucket: IBucket;
  consoleKey: IKey;
  platformKey: IKey;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

export class ConsoleService extends Construct {
  readonly service: FargateService;
  readonly alb: ApplicationLoadBalancer;
  readonly sessionSecret: Secret;
  /** What operators open: the domain from context, or the ALB's DNS name. */
  readonly host: string;

  constructor(scope: Construct, id: string, props: ConsoleServiceProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    this.sessionSecret = new Secret(this, 'SessionSecret', {
      description: 'Signs the Ledgerline console session cookies (LEDGERLINE_SESSION_SECRET)',
      encryptionKey: props.consoleKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: props.removalPolicy,
    });
    acknowledgeSecret(this.sessionSecret);

    const cluster = new Cluster(this, 'Cluster', {
      clusterName: props.serviceName,
      vpc: props.vpc,
      containerInsightsV2: ContainerInsights.ENHANCED,
    });
    const logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/ecs/${props.serviceName}`,
      encryptionKey: props.platformKey,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const executionRole = new ManagedPolicyRole(this, 'ExecutionRole', {
      description: 'Pulls the console image, writes its logs, reads its session secret',
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    const task = new FargateTaskDefinition(this, 'Task', {
      family: props.serviceName,
      cpu: 512,
      memoryLimitMiB: 1024,
      runtimePlatform: {
        cpuArchitecture: CpuArchitecture.ARM64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
      taskRole: props.taskRole,
      executionRole,
      // Task-local scratch (Fargate ephemeral storage): the only writable paths.
      volumes: [{ name: 'tmp' }, { name: 'next-cache' }, { name: 'data' }],
    });
    this.alb = new ApplicationLoadBalancer(this, 'Alb', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnets: props.publicSubnets },
      securityGroup: props.albSecurityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection: true,
      idleTimeout: Duration.seconds(60),
    });
    this.alb.logAccessLogs(props.logBucket, 'alb');
    this.host = props.domainName ?? this.alb.loadBalancerDnsName;

    const container = task.addContainer('console', {
      containerName: 'console',
      image: ContainerImage.fromAsset(repoRoot, { platform: Platform.LINUX_ARM64, file: 'Dockerfile' }),
      readonlyRootFilesystem: true,
      user: '1000:1000',
      environment: { ...props.environment, [props.albArnEnv]: this.alb.loadBalancerArn },
      secrets: { [props.sessionSecretEnv]: EcsSecret.fromSecretsManager(this.sessionSecret) },
      portMappings: [{ containerPort: CONSOLE_PORT }],
      logging: LogDrivers.awsLogs({ streamPrefix: 'console', logGroup, mode: AwsLogDriverMode.NON_BLOCKING }),
      healthCheck: {
        command: ['CMD', 'node', '-e', healthCheckScript],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      stopTimeout: Duration.seconds(30),
    });
    container.addMountPoints(
      { sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false },
      { sourceVolume: 'next-cache', containerPath: '/app/.next/cache', readOnly: false },
      { sourceVolume: 'data', containerPath: '/data', readOnly: false },
    );

    this.service = new FargateService(this, 'Service', {
      serviceName: props.serviceName,
      cluster,
      taskDefinition: task,
      desiredCount: CONSOLE_TASKS,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      vpcSubnets: { subnets: props.privateSubnets },
      securityGroups: [props.tasksSecurityGroup],
      assignPublicIp: false,
      circuitBreaker: { enable: true, rollback: true },
      availabilityZoneRebalancing: AvailabilityZoneRebalancing.ENABLED,
      enableExecuteCommand: false,
    });

    const targets = new ApplicationTargetGroup(this, 'Targets', {
      vpc: props.vpc,
      port: CONSOLE_PORT,
      protocol: ApplicationProtocol.HTTP,
      targetType: TargetType.IP,
      targets: [this.service],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: { path: CONSOLE_HEALTH_PATH, healthyHttpCodes: '200', interval: Duration.seconds(15) },
    });
    this.alb.addListener('Https', {
      port: 443,
      protocol: ApplicationProtocol.HTTPS,
      certificates: [ListenerCertificate.fromArn(props.certificateArn)],
      sslPolicy: SslPolicy.RECOMMENDED_TLS,
      open: false,
      defaultAction: props.auth.authenticate(ListenerAction.forward([targets]), this.host),
    });
    const http = this.alb.addListener('Http', {
      port: 80,
      protocol: ApplicationProtocol.HTTP,
      open: false,
      defaultAction: ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });

    for (const pack of ['NIST.800.53.R5', 'PCI.DSS.321'])
      acknowledge(
        http,
        `${pack}-ELBv2ACMCertificateRequired`,
        'The port-80 listener only answers 301 to https:// (no request reaches a target over HTTP); the HTTPS listener carries the ACM certificate.',
      );
    // ECR's GetAuthorizationToken has no resource; CDK adds it for the image asset's repository.
    executionRole.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'EcrAuth', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    );
    acknowledge(
      executionRole,
      'AwsSolutions-IAM5[Resource::*]',
      `ecr:GetAuthorizationToken has no resource-level permissions; every other action of the execution role names the image repository, the log group or the secret (${region}).`,
    );
    acknowledge(
      task,
      'AwsSolutions-ECS2',
      'Only non-secret configuration (stage, region, table names, the ALB ARN) is passed as environment; the session secret is an ECS secret from Secrets Manager.',
    );
  }
}

function acknowledgeSecret(secret: Secret): void {
  const reason =
    'The session-cookie signing secret is rotated by operations (put a new value, roll the service): an automatic rotation would sign every operator out mid-incident without a rotation Lambda that understands sessions.';
  acknowledge(secret, 'AwsSolutions-SMG4', reason);
  acknowledge(secret, 'NIST.800.53.R5-SecretsManagerRotationEnabled', reason);
}
