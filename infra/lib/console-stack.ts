/**
 * The console's deployment stack, one beside each platform stack (`ledgerline-<stage>-console-
 * <region>`), sharing that stack's VPC and CMK (same-region cross-stack references):
 * network (console subnets, endpoints), the console's two DynamoDB tables, the Object Lock copy
 * of the audit log, authentication (Cognito or an external OIDC IdP), the Fargate service behind
 * an HTTPS ALB with WAF, and the task role (console-task-role.ts) the operator roles trust.
 *
 * Context: `consoleCertificateArn` (ACM certificate of the console's host, required to deploy),
 * `consoleDomainName` (the host operators use; default the ALB's DNS name), `consoleOidc`
 * (external IdP, see constructs/console-auth.ts), `auditRetentionDays` (Object Lock COMPLIANCE
 * retention, default 2555 = 7 years). Without `consoleCertificateArn` a local synth
 * (`localSynth=true`, what `npm run synth` passes) uses a placeholder certificate ARN (all-zero
 * id, see CONSOLE_PLACEHOLDER_CERTIFICATE) and says so; any other synth throws.
 */
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { CONSOLE_PORT, ConsoleEnv, consoleNamesFor, consoleTableKeys } from '../platform/console';
import { namesFor } from '../platform/description';
import { auditArchivePrefix, ConsoleAuditArchive } from './constructs/console-audit-archive';
import { ConsoleAuth, parseExternalOidc } from './constructs/console-auth';
import { ConsoleNetwork } from './constructs/console-network';
import { ConsoleService } from './constructs/console-service';
import { ConsoleTables } from './constructs/console-tables';
import { ConsoleTaskRole } from './constructs/console-task-role';
import { ConsoleWaf } from './constructs/console-waf';
import { platformTags, type DeployedStage, type PlatformStack } from './platform-stack';

export const DEFAULT_AUDIT_RETENTION_DAYS = 2555;
/** Placeholder of a local synth without `consoleCertificateArn` (never deployable: no such certificate). */
export const CONSOLE_PLACEHOLDER_CERTIFICATE = (region: string, account: string) =>
  `arn:aws:acm:${region}:${account}:certificate/00000000-0000-0000-0000-000000000000`;

export interface ConsoleStackProps extends StackProps {
  stage: DeployedStage;
  /** The platform stack of the same stage and region (VPC, CMK). */
  platform: PlatformStack;
  /** Every region of the stage. */
  stageRegions: string[];
  owner: string;
  costCenter: string;
}

function context(scope: Construct, key: string): unknown {
  const v: unknown = scope.node.tryGetContext(key);
  return v === '' ? undefined : v;
}

export class ConsoleStack extends Stack {
  readonly tables: ConsoleTables;
  readonly taskRole: ConsoleTaskRole;
  readonly service: ConsoleService;
  readonly archive: ConsoleAuditArchive;
  readonly network: ConsoleNetwork;
  readonly auth: ConsoleAuth;
  readonly waf: ConsoleWaf;

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    const { stage, platform } = props;
    const prefix = namesFor(stage).prefix;
    const names = consoleNamesFor(stage);
    const region = this.region;
    const production = stage === 'production';
    const removalPolicy = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = production ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH;
    for (const [k, v] of Object.entries(platformTags({ stage, owner: props.owner, costCenter: props.costCenter })))
      Tags.of(this).add(k, v);
    Tags.of(this).add('Component', 'console');

    const retentionDays = Number(context(this, 'auditRetentionDays') ?? DEFAULT_AUDIT_RETENTION_DAYS);
    if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 36_500)
      throw new Error(
        `context auditRetentionDays must be 1..36500 days, got ${String(context(this, 'auditRetentionDays'))}`,
      );
    const local = context(this, 'localSynth');
    const localSynth = local === true || local === 'true';
    let certificateArn = context(this, 'consoleCertificateArn') as string | undefined;
    if (certificateArn === undefined) {
      const why = `${id}: context consoleCertificateArn (ACM certificate of the console host in ${region}) is missing`;
      if (!localSynth) throw new Error(`${why} (or -c localSynth=true for a local synth that is not deployed)`);
      certificateArn = CONSOLE_PLACEHOLDER_CERTIFICATE(region, this.account);
      Annotations.of(this).addInfo(`${why}: placeholder ${certificateArn}. This is a local synth: do not deploy it.`);
    } else if (!/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/.test(certificateArn)) {
      throw new Error(`context consoleCertificateArn must be an ACM certificate ARN, got ${certificateArn}`);
    }
    const external = parseExternalOidc(context(this, 'consoleOidc'));

    const consoleKey = new Key(this, 'ConsoleKey', {
      alias: `${prefix}-console`,
      description: `Ledgerline ${stage} console: audit archive bucket and session secret`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const platformKey = platform.key.key;

    this.network = new ConsoleNetwork(this, 'Network', {
      vpc: platform.network.vpc,
      platformEndpointsSecurityGroup: platform.network.endpointsSecurityGroup,
    });
    this.tables = new ConsoleTables(this, 'Tables', {
      auditTableName: names.auditTable,
      stateTableName: names.stateTable,
      key: platformKey,
    });
    this.archive = new ConsoleAuditArchive(this, 'AuditArchive', {
      stage,
      prefix,
      auditTable: this.tables.audit,
      retentionDays,
      consoleKey,
      platformKey,
      vpc: platform.network.vpc,
      securityGroup: this.network.archiverSecurityGroup,
      logRetention,
      removalPolicy,
    });
    this.taskRole = new ConsoleTaskRole(this, 'TaskRole', {
      prefix,
      stageRegions: props.stageRegions,
      tables: [
        { arn: this.tables.audit.tableArn, indexes: [consoleTableKeys.audit.byTime.indexName] },
        { arn: this.tables.state.tableArn, indexes: [consoleTableKeys.state.gsi1.indexName] },
      ],
      key: platformKey,
    });

    const domain = context(this, 'consoleDomainName') as string | undefined;
    this.auth = new ConsoleAuth(this, 'Auth', { prefix, external, production });

    this.service = new ConsoleService(this, 'Service', {
      serviceName: names.service,
      vpc: platform.network.vpc,
      privateSubnets: this.network.privateSubnets,
      publicSubnets: this.network.publicSubnets,
      albSecurityGroup: this.network.albSecurityGroup,
      tasksSecurityGroup: this.network.tasksSecurityGroup,
      taskRole: this.taskRole.role,
      environment: {
        [ConsoleEnv.backend]: 'aws',
        [ConsoleEnv.stage]: stage,
        [ConsoleEnv.region]: region,
        [ConsoleEnv.auditTable]: names.auditTable,
        [ConsoleEnv.stateTable]: names.stateTable,
        [ConsoleEnv.auditArchive]: `s3://${this.archive.bucket.bucketName}/${auditArchivePrefix(region)}`,
        // Next's standalone server binds to HOSTNAME, which the container runtime sets to the
        // task's own name: all interfaces, so the ALB and the loopback health check both reach it.
        HOSTNAME: '0.0.0.0',
        PORT: String(CONSOLE_PORT),
        LEDGERLINE_DATA_DIR: '/data',
        LEDGERLINE_ADMIN_API: 'false',
        NEXT_TELEMETRY_DISABLED: '1',
      },
      sessionSecretEnv: ConsoleEnv.sessionSecret,
      albArnEnv: ConsoleEnv.albArn,
      certificateArn,
      domainName: domain,
      auth: this.auth,
      logBucket: this.archive.logBucket,
      consoleKey,
      platformKey,
      logRetention,
      removalPolicy,
    });
    this.waf = new ConsoleWaf(this, 'Waf', {
      name: `${names.service}-${region}`,
      resourceArn: this.service.alb.loadBalancerArn,
      key: platformKey,
      logRetention,
      removalPolicy,
    });

    new CfnOutput(this, 'ConsoleUrl', {
      value: `https://${this.service.host}`,
      description: 'Where operators open the console',
    });
    new CfnOutput(this, 'AuditTableName', { value: this.tables.audit.tableName });
    new CfnOutput(this, 'StateTableName', { value: this.tables.state.tableName });
    new CfnOutput(this, 'AuditArchiveBucket', { value: this.archive.bucket.bucketName });
    new CfnOutput(this, 'TaskRoleArn', { value: this.taskRole.role.roleArn });
    if (this.auth.userPool) new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
  }
}
