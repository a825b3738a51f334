/**
 * Resolves the CloudFormation intrinsics of a synthesized template to concrete strings for a fixed
 * account and region, the way the deployed stack would see them: Ref, Fn::GetAtt, Fn::Join,
 * Fn::Sub, Fn::Select, Fn::Split, Fn::If (with its Conditions), Fn::FindInMap. A physical name
 * comes from the resource's name property when the template sets one, else from its logical id
 * (CloudFormation would generate one; within one evaluation it only has to be consistent).
 * Something it cannot resolve becomes `UNRESOLVED(...)`, which matches no policy.
 */

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Parameters?: Record<string, { Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

export interface ResolveEnv {
  account: string;
  region: string;
  stackName: string;
  /** Another stack's output (Fn::GetStackOutput), resolved in that stack; undefined if unknown. */
  stackOutput?: (stackName: string, outputName: string) => string | undefined;
  /** An export of any stack (Fn::ImportValue); undefined if unknown. */
  exported?: (name: string) => string | undefined;
}

export interface CfnTemplateWithOutputs extends CfnTemplate {
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

/** The name property CloudFormation uses as a resource type's physical name. */
const nameProperty: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Archive': 'ArchiveName',
  'AWS::Events::Rule': 'Name',
  'AWS::Events::Endpoint': 'Name',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::KMS::Alias': 'AliasName',
};

export class CfnResolver {
  constructor(
    readonly template: CfnTemplate,
    readonly env: ResolveEnv,
  ) {}

  private arn(service: string, resource: string, region = this.env.region, account = this.env.account): string {
    return `arn:aws:${service}:${region}:${account}:${resource}`;
  }

  /** The physical name of a resource (its name property, resolved, or its logical id). */
  nameOf(id: string): string {
    const r = this.template.Resources[id];
    const prop = r ? nameProperty[r.Type] : undefined;
    const value = prop ? r?.Properties?.[prop] : undefined;
    return value === undefined ? id : this.str(value);
  }

  private ref(id: string): string {
    const pseudo: Record<string, string> = {
      'AWS::AccountId': this.env.account,
      'AWS::Region': this.env.region,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.env.stackName,
      'AWS::StackId': this.arn('cloudformation', `stack/${this.env.stackName}/00000000`),
      'AWS::NoValue': '',
    };
    if (pseudo[id] !== undefined) return pseudo[id];
    const param = this.template.Parameters?.[id];
    if (param) return param.Default === undefined ? `UNRESOLVED(${id})` : this.str(param.Default);
    const r = this.template.Resources[id];
    if (!r) return `UNRESOLVED(${id})`;
    const name = this.nameOf(id);
    switch (r.Type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${this.env.region}.amazonaws.com/${this.env.account}/${name}`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${this.env.account}:policy/${name}`;
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::SNS::Topic':
        return this.getAtt(id, 'Arn');
      default:
        return name;
    }
  }

  private getAtt(id: string, attr: string): string {
    const r = this.template.Resources[id];
    if (!r) return `UNRESOLVED(${id}.${attr})`;
    const name = this.nameOf(id);
    const { account } = this.env;
    const byType: Record<string, Record<string, () => string>> = {
      'AWS::IAM::Role': { Arn: () => `arn:aws:iam::${account}:role/${name}`, RoleId: () => `AROA${id}` },
      'AWS::SQS::Queue': {
        Arn: () => this.arn('sqs', name),
        QueueName: () => name,
        QueueUrl: () => this.ref(id),
      },
      'AWS::KMS::Key': { Arn: () => this.arn('kms', `key/${id}`), KeyId: () => id },
      'AWS::DynamoDB::Table': {
        Arn: () => this.arn('dynamodb', `table/${name}`),
        StreamArn: () => this.arn('dynamodb', `table/${name}/stream/2026-01-01T00:00:00.000`),
      },
      'AWS::Events::EventBus': { Arn: () => this.arn('events', `event-bus/${name}`), Name: () => name },
      'AWS::Events::Archive': { Arn: () => this.arn('events', `archive/${name}`), ArchiveName: () => name },
      'AWS::Events::Endpoint': { Arn: () => this.arn('events', `endpoint/${name}`) },
      'AWS::StepFunctions::StateMachine': {
        Arn: () => this.arn('states', `stateMachine:${name}`),
        Name: () => name,
      },
      'AWS::Lambda::Function': { Arn: () => this.arn('lambda', `function:${name}`) },
      'AWS::SNS::Topic': { TopicArn: () => this.arn('sns', name), TopicName: () => name },
      'AWS::Logs::LogGroup': { Arn: () => this.arn('logs', `log-group:${name}:*`) },
      'AWS::S3::Bucket': { Arn: () => `arn:aws:s3:::${name}` },
    };
    byType['AWS::DynamoDB::GlobalTable'] = byType['AWS::DynamoDB::Table']!;
    byType['AWS::SNS::Topic']!.Arn = byType['AWS::SNS::Topic']!.TopicArn!;
    byType['AWS::Events::Rule'] = {
      Arn: () => {
        const bus = r.Properties?.EventBusName;
        return this.arn('events', `rule/${bus === undefined ? '' : `${this.str(bus)}/`}${name}`);
      },
    };
    const f = byType[r.Type]?.[attr];
    return f ? f() : `UNRESOLVED(${id}.${attr})`;
  }

  private condition(name: string): boolean {
    const c = this.template.Conditions?.[name];
    return c === undefined ? false : Boolean(this.resolve(c));
  }

  private sub(text: string, vars: Record<string, unknown> = {}): string {
    return text.replace(/\$\{([^}!]+)\}/g, (_, v: string) => {
      if (vars[v] !== undefined) return this.str(vars[v]);
      const dot = v.indexOf('.');
      if (dot > 0 && !v.startsWith('AWS::')) return this.getAtt(v.slice(0, dot), v.slice(dot + 1));
      return this.ref(v);
    });
  }

  str(value: unknown): string {
    const v = this.resolve(value);
    return typeof v === 'string' ? v : JSON.stringify(v);
  }

  /** `value` with every intrinsic resolved (objects and arrays recursively). */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (!value || typeof value !== 'object') return value;
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const arg = o[keys[0]!];
      const a = Array.isArray(arg) ? (arg as unknown[]) : [];
      switch (keys[0]) {
        case 'Ref':
          return this.ref(String(arg));
        case 'Fn::GetAtt': {
          const [id, attr] = typeof arg === 'string' ? arg.split('.') : (arg as string[]);
          return this.getAtt(String(id), String(attr));
        }
        case 'Fn::Join':
          return (this.resolve(a[1]) as unknown[]).map((x) => this.str(x)).join(String(a[0]));
        case 'Fn::Sub':
          return typeof arg === 'string'
            ? this.sub(arg)
            : this.sub(String(a[0]), this.resolve(a[1]) as Record<string, unknown>);
        case 'Fn::Select':
          return (this.resolve(a[1]) as unknown[])[Number(this.resolve(a[0]))];
        case 'Fn::Split':
          return this.str(a[1]).split(String(a[0]));
        case 'Fn::If':
          return this.resolve(this.condition(String(a[0])) ? a[1] : a[2]);
        case 'Fn::Equals':
          return JSON.stringify(this.resolve(a[0])) === JSON.stringify(this.resolve(a[1]));
        case 'Fn::Not':
          return !this.resolve(a[0]);
        case 'Fn::And':
          return a.every((x) => this.resolve(x));
        case 'Fn::Or':
          return a.some((x) => this.resolve(x));
        case 'Condition':
          return this.condition(String(arg));
        case 'Fn::FindInMap':
          return this.resolve(
            this.template.Mappings?.[this.str(a[0])]?.[this.str(a[1])]?.[this.str(a[2])] ?? `UNRESOLVED(FindInMap)`,
          );
        case 'Fn::ImportValue': {
          const name = this.str(arg);
          return this.env.exported?.(name) ?? `UNRESOLVED(ImportValue ${name})`;
        }
        case 'Fn::GetStackOutput': {
          const ref = arg as { StackName?: unknown; OutputName?: unknown };
          const [stack, output] = [this.str(ref.StackName), this.str(ref.OutputName)];
          return this.env.stackOutput?.(stack, output) ?? `UNRESOLVED(GetStackOutput ${stack}.${output})`;
        }
        default:
          break;
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(o[k])]));
  }
}
