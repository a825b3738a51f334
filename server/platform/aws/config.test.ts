import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  allOutputKeys,
  operatorRoleOutputKey,
  queuePairOutputKeys,
  StackOutputKeys,
} from '../../../infra/platform/outputs';
import { roles } from '../../auth/permissions.schema';
import { PlatformError } from '../port';
import { configFromOutputs, loadAwsPlatformConfig, stackNameFor } from './config';
import { testConfig } from './testing';

const cfn = mockClient(CloudFormationClient);

/** The outputs a deployed stack would emit for testConfig(). */
function outputsOf(c = testConfig()): Record<string, string> {
  const k = StackOutputKeys;
  const out: Record<string, string> = {
    [k.PrimaryRegion]: c.primaryRegion,
    [k.SecondaryRegion]: c.secondaryRegion ?? '',
    [k.BusName]: c.bus.name,
    [k.BusArn]: c.bus.arn,
    [k.ArchiveName]: c.archive.name,
    [k.ArchiveArn]: c.archive.arn,
    [k.ReplayRuleArns]: c.replayRuleArns.join(','),
    [k.StateMachineArn]: c.stateMachineArn,
    [k.SagaTableName]: c.sagaTable ?? '',
    [k.IdempotencyTableName]: c.idempotencyTable,
    [k.LedgerTableName]: c.ledgerTable ?? '',
    [k.ArchiveIndexTableName]: c.archiveIndexTable ?? '',
    [k.GlobalEndpointName]: '',
    [k.GlobalEndpointId]: '',
    [k.QueuePairIds]: c.queuePairs.map((p) => p.id).join(','),
  };
  for (const p of c.queuePairs) {
    const keys = queuePairOutputKeys(p.id);
    Object.assign(out, {
      [keys.sourceUrl]: p.sourceUrl,
      [keys.sourceArn]: p.sourceArn,
      [keys.dlqUrl]: p.dlqUrl,
      [keys.dlqArn]: p.dlqArn,
    });
  }
  for (const r of roles) out[operatorRoleOutputKey(r)] = c.operatorRoleArns[r];
  return out;
}

describe('stack outputs -> AwsPlatformConfig', () => {
  beforeEach(() => cfn.reset());

  it('names output keys as alphanumeric CloudFormation keys, one set per queue pair and per role', () => {
    expect(queuePairOutputKeys('processing')).toEqual({
      sourceUrl: 'QueuePairProcessingSourceUrl',
      sourceArn: 'QueuePairProcessingSourceArn',
      dlqUrl: 'QueuePairProcessingDlqUrl',
      dlqArn: 'QueuePairProcessingDlqArn',
    });
    expect(queuePairOutputKeys('processing-1').dlqUrl).toBe('QueuePairProcessing1DlqUrl');
    expect(operatorRoleOutputKey('viewer')).toBe('OperatorRoleArnViewer');
    const keys = allOutputKeys(['processing']);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9]{1,255}$/);
  });

  it('builds the config from a complete set of outputs, optional ones empty meaning "none"', () => {
    const config = configFromOutputs('staging', 'us-east-1', outputsOf());
    expect(config).toEqual(testConfig({ sagaTable: null }));
    const noIndex = configFromOutputs('staging', 'us-east-1', {
      ...outputsOf(),
      [StackOutputKeys.ArchiveIndexTableName]: '',
    });
    expect(noIndex.archiveIndexTable).toBeNull();
  });

  it('names every missing or malformed output key in one Unavailable error', () => {
    const outputs = outputsOf();
    delete outputs[StackOutputKeys.StateMachineArn];
    delete outputs[queuePairOutputKeys('processing').dlqArn];
    outputs[operatorRoleOutputKey('admin')] = 'not-an-arn';
    const error = (() => {
      try {
        configFromOutputs('staging', 'us-east-1', outputs);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ code: 'Unavailable' });
    const message = (error as Error).message;
    expect(message).toContain('ledgerline-staging-us-east-1');
    expect(message).toContain('StateMachineArn: missing');
    expect(message).toContain('QueuePairProcessingDlqArn: missing');
    expect(message).toContain('OperatorRoleArnAdmin: must be an ARN');
  });

  it('reads the outputs of stack <prefix>-<region> with DescribeStacks', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'ledgerline-staging-us-east-1',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: Object.entries(outputsOf()).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
    const config = await loadAwsPlatformConfig('staging', 'us-east-1', {
      cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
    });
    expect(cfn.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({
      StackName: stackNameFor('staging', 'us-east-1'),
    });
    expect(stackNameFor('staging', 'us-east-1')).toBe('ledgerline-staging-us-east-1');
    expect(config.queuePairs[0]?.dlqArn).toBe(testConfig().queuePairs[0]?.dlqArn);
  });

  it('says the stack must be deployed when it does not exist', async () => {
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id ledgerline-production-eu-west-1 does not exist'), {
        name: 'ValidationError',
      }),
    );
    await expect(
      loadAwsPlatformConfig('production', 'eu-west-1', {
        cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
      }),
    ).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringContaining('deploy it first') as unknown,
    });
  });
});
