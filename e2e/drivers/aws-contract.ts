/**
 * What the AWS driver and the staging stack agree on (infra/lib/constructs/e2e-staging.ts; its
 * test checks that both sides say the same).
 */
import { compensationNames, stepNames } from '../../infra/saga/definition';

/** The only event source the staging e2e publisher role may put on the bus. */
export const AWS_E2E_SOURCE = 'ledgerline.e2e';
/** Fault targets with an experiment template: every saga task function and the processor. */
export const AWS_FAULT_TARGETS = [...stepNames, ...compensationNames, 'processor'] as const;
export type AwsFaultTarget = (typeof AWS_FAULT_TARGETS)[number];
