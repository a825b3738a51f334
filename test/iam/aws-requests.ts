/**
 * What IAM evaluates for one AWS SDK command: the IAM action(s) and the resource ARN(s) AWS
 * authorizes, per the Service Authorization Reference (required resource types of each action),
 * plus the KMS calls a service makes with the caller's permissions on a CMK-encrypted resource
 * (resource `STAGE_KEY`, resolved by the evaluator to the stage key; context kms:ViaService).
 * Pure: used by the recorders (console adapter tests, Lambda tests) and the evaluator.
 */

export interface IamRequest {
  /** `ServiceClient:CommandName` as the SDK sent it. */
  command: string;
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

/** Placeholder for the stage's CMK in the region of the request (the evaluator resolves it). */
export const STAGE_KEY = 'STAGE_KEY';
/** Placeholder for the console stack's CMK in the region of the request (the audit archive's key). */
export const CONSOLE_KEY = 'CONSOLE_KEY';
/** A stack id in a DescribeStacks ARN (the name is what policies match; the id is unknown). */
const STACK_ID = '00000000-0000-0000-0000-000000000000';

export interface RequestEnv {
  account: string;
  region: string;
}

type Input = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` -> the queue ARN. */
export function queueArnOfUrl(url: string): string {
  const m = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\/(\d{12})\/([^/?]+)$/.exec(url);
  if (!m) throw new Error(`not an SQS queue URL: ${url}`);
  return `arn:aws:sqs:${m[1]}:${m[2]}:${m[3]}`;
}

const regionOfArn = (arn: string, fallback: string) => arn.split(':')[3] || fallback;

function kms(command: string, action: string, service: string, region: string, key = STAGE_KEY): IamRequest {
  return { command, action, resource: key, context: { 'kms:ViaService': `${service}.${region}.amazonaws.com` } };
}

function sqs(command: string, name: string, input: Input, env: RequestEnv): IamRequest[] {
  const one = (action: string, resource: string): IamRequest => ({ command, action: `sqs:${action}`, resource });
  const url = str(input.QueueUrl);
  const queue = url ? queueArnOfUrl(url) : '*';
  const region = regionOfArn(queue, env.region);
  switch (name) {
    case 'ListQueues':
      return [one('ListQueues', '*')];
    case 'ReceiveMessage':
      return [one('ReceiveMessage', queue), kms(command, 'kms:Decrypt', 'sqs', region)];
    case 'SendMessage':
    case 'SendMessageBatch':
      return [one('SendMessage', queue), kms(command, 'kms:GenerateDataKey', 'sqs', region)];
    case 'DeleteMessage':
    case 'DeleteMessageBatch':
      return [one('DeleteMessage', queue)];
    case 'ChangeMessageVisibility':
    case 'ChangeMessageVisibilityBatch':
      return [one('ChangeMessageVisibility', queue)];
    case 'GetQueueAttributes':
    case 'SetQueueAttributes':
      return [one(name, queue)];
    case 'ListMessageMoveTasks':
      return [one('ListMessageMoveTasks', str(input.SourceArn) ?? '*')];
    case 'StartMessageMoveTask': {
      // The task moves with the caller's permissions: receive/delete on the DLQ, send to the
      // destination (the DLQ's source queue when none is given), re-encrypting with the CMK.
      const source = str(input.SourceArn) ?? '*';
      const destination = str(input.DestinationArn) ?? source.replace(/-dlq$/, '');
      const r = regionOfArn(source, env.region);
      return [
        ...['StartMessageMoveTask', 'ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes'].map((a) => one(a, source)),
        one('SendMessage', destination),
        kms(command, 'kms:Decrypt', 'sqs', r),
        kms(command, 'kms:GenerateDataKey', 'sqs', r),
      ];
    }
    case 'CancelMessageMoveTask': {
      // The task handle is base64 JSON naming the source queue's ARN.
      let source = '*';
      try {
        const handle = JSON.parse(Buffer.from(str(input.TaskHandle) ?? '', 'base64').toString('utf8')) as {
          sourceArn?: unknown;
        };
        source = str(handle.sourceArn) ?? '*';
      } catch {
        /* not a handle SQS issued: '*' makes the evaluation fail visibly */
      }
      return [one('CancelMessageMoveTask', source)];
    }
    default:
      return unknown(command);
  }
}

const tableArn = (env: RequestEnv, table: string, index?: unknown) =>
  `arn:aws:dynamodb:${env.region}:${env.account}:table/${table}${str(index) ? `/index/${str(index)}` : ''}`;

function dynamodb(command: string, name: string, input: Input, env: RequestEnv): IamRequest[] {
  const action = (a: string, table: string, index?: unknown): IamRequest[] => [
    { command, action: `dynamodb:${a}`, resource: tableArn(env, table, index) },
    kms(command, 'kms:Decrypt', 'dynamodb', env.region),
  ];
  const simple: Record<string, string> = {
    Get: 'GetItem',
    GetItem: 'GetItem',
    Put: 'PutItem',
    PutItem: 'PutItem',
    Update: 'UpdateItem',
    UpdateItem: 'UpdateItem',
    Delete: 'DeleteItem',
    DeleteItem: 'DeleteItem',
    Query: 'Query',
    Scan: 'Scan',
  };
  const table = str(input.TableName);
  if (simple[name] && table) return action(simple[name], table, input.IndexName);
  const requestItems = (input.RequestItems ?? {}) as Record<string, unknown>;
  if (name === 'BatchGet' || name === 'BatchGetItem')
    return Object.keys(requestItems).flatMap((t) => action('BatchGetItem', t));
  if (name === 'BatchWrite' || name === 'BatchWriteItem')
    return Object.keys(requestItems).flatMap((t) => action('BatchWriteItem', t));
  if (name === 'TransactWrite' || name === 'TransactWriteItems') {
    const ops = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' };
    return ((input.TransactItems ?? []) as Record<string, { TableName?: string }>[]).flatMap((item) =>
      Object.entries(ops).flatMap(([k, a]) => (item[k]?.TableName ? action(a, item[k].TableName) : [])),
    );
  }
  return unknown(command);
}

function events(command: string, name: string, input: Input, env: RequestEnv): IamRequest[] {
  const arn = (type: string, id: string) => `arn:aws:events:${env.region}:${env.account}:${type}/${id}`;
  const one = (action: string, resource: string): IamRequest => ({ command, action: `events:${action}`, resource });
  switch (name) {
    case 'ListArchives':
    case 'ListReplays':
      return [one(name, '*')];
    case 'DescribeArchive':
      return [one(name, arn('archive', str(input.ArchiveName) ?? '*'))];
    case 'DescribeReplay':
    case 'CancelReplay':
      return [one(name, arn('replay', str(input.ReplayName) ?? '*'))];
    case 'DescribeEventBus':
      return [one(name, arn('event-bus', str(input.Name) ?? 'default'))];
    case 'DescribeEndpoint':
      return [one(name, arn('endpoint', str(input.Name) ?? '*'))];
    case 'PutEvents': {
      const buses = new Set(
        ((input.Entries ?? []) as { EventBusName?: string }[]).map((e) => e.EventBusName ?? 'default'),
      );
      return [...buses].map((b) => one(name, b.startsWith('arn:') ? b : arn('event-bus', b)));
    }
    case 'StartReplay': {
      // Required resource types: archive, event-bus (the destination) and replay; the archive is on the CMK.
      const destination = (input.Destination ?? {}) as { Arn?: string };
      return [
        one(name, str(input.EventSourceArn) ?? '*'),
        one(name, str(destination.Arn) ?? '*'),
        one(name, arn('replay', str(input.ReplayName) ?? '*')),
        kms(command, 'kms:Decrypt', 'events', env.region),
        kms(command, 'kms:GenerateDataKey', 'events', env.region),
      ];
    }
    default:
      return unknown(command);
  }
}

function states(command: string, name: string, input: Input, env: RequestEnv): IamRequest[] {
  const one = (resource: string, ...keyActions: string[]): IamRequest[] => [
    { command, action: `states:${name}`, resource },
    ...keyActions.map((a) => kms(command, a, 'states', regionOfArn(resource, env.region))),
  ];
  switch (name) {
    case 'ListExecutions':
    case 'DescribeStateMachine':
      return one(str(input.stateMachineArn) ?? '*');
    case 'StartExecution':
      return one(str(input.stateMachineArn) ?? '*', 'kms:GenerateDataKey');
    case 'DescribeExecution':
    case 'GetExecutionHistory':
      return one(str(input.executionArn) ?? '*', 'kms:Decrypt');
    case 'StopExecution':
    case 'RedriveExecution':
      return one(str(input.executionArn) ?? '*');
    default:
      return unknown(command);
  }
}

function cloudwatch(command: string, name: string, input: Input, env: RequestEnv): IamRequest[] {
  const alarm = (n: string) => `arn:aws:cloudwatch:${env.region}:${env.account}:alarm:${n}`;
  const one = (resource: string): IamRequest => ({ command, action: `cloudwatch:${name}`, resource });
  switch (name) {
    case 'GetMetricData':
    case 'PutMetricData':
      return [one('*')];
    case 'DescribeAlarms': {
      // By name: each named alarm. By prefix (or none): CloudWatch authorizes the listing on
      // `alarm:*` (AccessDenied names that resource), so a prefix-scoped grant does not match.
      const names = (input.AlarmNames ?? []) as string[];
      return names.length ? names.map((n) => one(alarm(n))) : [one(alarm('*'))];
    }
    case 'DescribeAlarmHistory':
      return [one(alarm(str(input.AlarmName) ?? '*'))];
    default:
      return unknown(command);
  }
}

function other(command: string, service: string, name: string, input: Input, env: RequestEnv): IamRequest[] {
  if (service === 'STS' && name === 'AssumeRole') {
    const role = str(input.RoleArn) ?? '*';
    return [
      { command, action: 'sts:AssumeRole', resource: role },
      ...(input.SourceIdentity ? [{ command, action: 'sts:SetSourceIdentity', resource: role }] : []),
    ];
  }
  // GetCallerIdentity needs no permission: nothing to evaluate.
  if (service === 'STS' && name === 'GetCallerIdentity') return [];
  if (service === 'CloudFormation' && name === 'DescribeStacks') {
    const stack = str(input.StackName) ?? '*';
    const resource = stack.startsWith('arn:')
      ? stack
      : `arn:aws:cloudformation:${env.region}:${env.account}:stack/${stack}/${STACK_ID}`;
    return [{ command, action: 'cloudformation:DescribeStacks', resource }];
  }
  if (service === 'S3' && name === 'PutObject') {
    // The console's audit archive bucket: SSE-KMS with the console key (bucket default encryption).
    const object = `arn:aws:s3:::${str(input.Bucket) ?? '*'}/${str(input.Key) ?? '*'}`;
    return [
      { command, action: 's3:PutObject', resource: object },
      kms(command, 'kms:GenerateDataKey', 's3', env.region, CONSOLE_KEY),
    ];
  }
  if (service === 'Lambda' && (name === 'GetEventSourceMapping' || name === 'UpdateEventSourceMapping')) {
    const resource = `arn:aws:lambda:${env.region}:${env.account}:event-source-mapping:${str(input.UUID) ?? '*'}`;
    return [{ command, action: `lambda:${name}`, resource }];
  }
  return unknown(command);
}

function unknown(command: string): never {
  throw new Error(`no IAM mapping for ${command}: add it to test/iam/aws-requests.ts`);
}

/** Service id of an SDK client class name (`SQSClient` -> `SQS`, `DynamoDBDocumentClient` -> `DynamoDB`). */
export function serviceOfClient(clientName: string): string {
  return clientName.replace(/DocumentClient$|Client$/, '');
}

/** The IAM requests one SDK command makes (`service` as serviceOfClient gives it). */
export function iamRequestsOf(service: string, commandName: string, input: Input, env: RequestEnv): IamRequest[] {
  const name = commandName.replace(/Command$/, '');
  const command = `${service}:${name}`;
  switch (service) {
    case 'SQS':
      return sqs(command, name, input, env);
    case 'DynamoDB':
      return dynamodb(command, name, input, env);
    case 'EventBridge':
      return events(command, name, input, env);
    case 'SFN':
      return states(command, name, input, env);
    case 'CloudWatch':
      return cloudwatch(command, name, input, env);
    default:
      return other(command, service, name, input, env);
  }
}
