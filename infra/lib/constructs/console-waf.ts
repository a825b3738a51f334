/**
 * AWS WAF in front of the console's ALB: the AWS managed rule groups (IP reputation, common
 * rule set, known bad inputs), a per-IP rate limit, and full logging to an encrypted log group
 * (`aws-waf-logs-*`, the name WAF requires).
 */
import { ArnFormat, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** The AWS managed rule groups the console's web ACL evaluates, in priority order. */
export const consoleManagedRuleGroups = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

/** Requests per 5 minutes from one IP before WAF blocks it (50 operators polling stay far below). */
export const CONSOLE_RATE_LIMIT = 3000;

export interface ConsoleWafProps {
  name: string;
  /** The ALB to protect. */
  resourceArn: string;
  key: IKey;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

export class ConsoleWaf extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: ConsoleWafProps) {
    super(scope, id);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: props.name,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      rules: [
        ...consoleManagedRuleGroups.map((name, priority) => ({
          name,
          priority,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
          visibilityConfig: visibility(name),
        })),
        {
          name: 'RatePerIp',
          priority: consoleManagedRuleGroups.length,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: CONSOLE_RATE_LIMIT, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('RatePerIp'),
        },
      ],
    });
    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.resourceArn,
      webAclArn: this.webAcl.attrArn,
    });
    const logGroupName = `aws-waf-logs-${props.name}`;
    const logs = new LogGroup(this, 'Logs', {
      logGroupName,
      encryptionKey: props.key,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const logging = new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the trailing ":*" LogGroup.logGroupArn carries.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    });
    logging.node.addDependency(logs);
  }
}
