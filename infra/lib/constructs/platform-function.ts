/**
 * One platform Lambda function with everything the platform requires of it: NodejsFunction
 * bundled locally by esbuild (no Docker), newest Node.js runtime on arm64 (Graviton), X-Ray
 * active, explicit memory/timeout/reserved concurrency, its OWN role, its own log group
 * (retention + CMK, JSON logs), environment encrypted with the CMK, in the isolated subnets.
 */
import { fileURLToPath } from 'node:url';
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { SubnetType, type ISecurityGroup, type IVpc } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ManagedPolicyRole } from './managed-policy-role';

/** Absolute path of a handler in infra/lambda (ESM-safe: no __dirname). */
export function lambdaEntry(file: string): string {
  return fileURLToPath(new URL(`../../lambda/${file}`, import.meta.url));
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface PlatformFunctionProps {
  /** Physical function name (from namesFor + role), also the log group name's suffix. */
  functionName: string;
  /** What it does; shown in the console and the Lambda console. */
  description: string;
  /** Absolute path of the handler file (use `lambdaEntry`). */
  entry: string;
  memorySize: number;
  timeout: Duration;
  /** Reserved concurrency: caps the function and guarantees it capacity. */
  reservedConcurrency: number;
  environment: Record<string, string>;
  /** Statements of the function's own inline policy (least privilege, resource-scoped). */
  statements: PolicyStatement[];
  /** Dead-letter queue of failed asynchronous invocations (shared by the stack's functions). */
  deadLetterQueue: IQueue;
  key: IKey;
  vpc: IVpc;
  securityGroup: ISecurityGroup;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

export class PlatformFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: ManagedPolicyRole;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: PlatformFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      encryptionKey: props.key,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName} only`,
      statements: [
        ...props.statements,
        // Lambda creates the function's ENIs in the isolated subnets with these; EC2 offers no
        // resource-level scoping for them (the AWS-managed VPC policy uses "*" too).
        new PolicyStatement({
          sid: 'VpcNetworkInterfaces',
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      ],
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: props.description,
      entry: props.entry,
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      deadLetterQueue: props.deadLetterQueue,
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environmentEncryption: props.key,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.functionName,
        POWERTOOLS_METRICS_NAMESPACE: 'Ledgerline',
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        XRAY_ENABLED: 'true',
        ...props.environment,
      },
      vpc: props.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      securityGroups: [props.securityGroup],
      projectRoot: repoRoot,
      depsLockFilePath: `${repoRoot}package-lock.json`,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        // The Node.js 24 runtime ships AWS SDK v3: keep it out of the bundle.
        externalModules: ['@aws-sdk/*', '@smithy/*'],
        banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        tsconfig: `${repoRoot}infra/tsconfig.json`,
        metafile: false,
        logLevel: LogLevel.WARNING,
      },
    });
  }
}
