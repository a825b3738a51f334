/**
 * Test helper: records the AWS requests a Lambda handler sent through aws-sdk-client-mock mocks,
 * as sent by that function's execution role (`lambda:<function name suffix>`), for the IAM
 * evaluation (test/iam). Registers the end-of-file check of the test file's IAM request catalog.
 */
import type { AwsStub } from 'aws-sdk-client-mock';
import { afterAll, expect } from 'vitest';
import { RequestRecorder } from '../../test/iam/recording';

/** The account and region the recorded Lambda requests address (the staging stack's). */
export const RECORDED_ACCOUNT = '111122223333';
export const RECORDED_REGION = 'us-east-1';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyStub = AwsStub<any, any, any>;

export function lambdaRequestRecorder() {
  const recorder = new RequestRecorder();
  afterAll(() => recorder.checkCatalog());
  return {
    recorder,
    /**
     * Records every call `mocks` (client class name -> mock) received since their last reset as
     * sent by the function `ledgerline-<stage>-<functionSuffix>`.
     */
    record: (functionSuffix: string, mocks: Record<string, AnyStub>): number => {
      let n = 0;
      for (const [clientName, mock] of Object.entries(mocks)) {
        for (const call of mock.calls()) {
          recorder.record(
            `lambda:${functionSuffix}`,
            clientName,
            call.args[0] as object,
            { account: RECORDED_ACCOUNT, region: RECORDED_REGION },
            expect.getState().testPath,
          );
          n++;
        }
      }
      return n;
    },
  };
}
