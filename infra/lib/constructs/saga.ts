/**
 * The payment saga as a Step Functions STANDARD state machine whose ASL is generated from
 * infra/saga/definition.ts (saga-asl.ts): the same definition the embedded platform executes.
 * Explicit name (required with a CMK), CMK encryption, logging ALL (with execution data) to an
 * encrypted log group, X-Ray tracing, its own role that may invoke exactly the saga's
 * functions. Saga state is tracked in the saga-state table by the step functions themselves.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  CustomerManagedEncryptionConfiguration,
  DefinitionBody,
  LogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import { ManagedPolicyRole } from './managed-policy-role';
import { buildSagaAsl, sagaTaskNames, substitutionKey, worstCaseExecutionSeconds, type SagaTaskName } from './saga-asl';

export interface SagaProps {
  stateMachineName: string;
  /** The Lambda function of every saga task (steps and compensations). */
  functions: Record<SagaTaskName, IFunction>;
  key: IKey;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
  /**
   * Upper bound of one execution (all retries and compensations included). Default: the ASL's
   * worst case (worstCaseExecutionSeconds) rounded up to the hour; a shorter one is refused.
   */
  timeout?: Duration;
}

export class Saga extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SagaProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      encryptionKey: props.key,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new ServicePrincipal('states.amazonaws.com'),
      description: `Execution role of the ${props.stateMachineName} state machine`,
    });
    const names = sagaTaskNames();
    role.addToPolicy(
      new PolicyStatement({
        sid: 'InvokeSagaTasks',
        actions: ['lambda:InvokeFunction'],
        resources: names.map((n) => props.functions[n].functionArn),
      }),
    );

    const substitutions: Record<string, string> = {};
    for (const n of names) substitutions[substitutionKey(n)] = props.functions[n].functionArn;

    const asl = buildSagaAsl();
    const worstCase = worstCaseExecutionSeconds(asl);
    const timeout = props.timeout ?? Duration.hours(Math.ceil(worstCase / 3600));
    if (timeout.toSeconds() < worstCase)
      throw new Error(
        `saga timeout ${timeout.toSeconds()} s is below the worst case of its retries and compensations (${worstCase} s)`,
      );

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      comment: 'Payment saga generated from infra/saga/definition.ts',
      definitionBody: DefinitionBody.fromString(JSON.stringify(asl)),
      definitionSubstitutions: substitutions,
      role,
      encryptionConfiguration: new CustomerManagedEncryptionConfiguration(props.key, Duration.minutes(5)),
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
      timeout,
      removalPolicy: props.removalPolicy,
    });

    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'Step Functions log delivery (logs:CreateLogDelivery, PutResourcePolicy, DescribeLogGroups...) and X-Ray segment upload only accept Resource "*" (AWS documents no resource-level permissions for them).',
    );
  }
}
