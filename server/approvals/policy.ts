import 'server-only';
import type { Stage } from '../../infra/platform/description';
import { REDRIVE_APPROVAL_THRESHOLD } from './approval.schema';

/**
 * The maker-checker policy: which actions need a second person's approval.
 * - compensations (and resumes) always (`compensationApproval`; off only in tests of the direct path);
 * - replays when the stage is production;
 * - redrives of more than `redriveApprovalThreshold` messages.
 * Approvals expire after `approvalTtlMinutes`; a request carries a reason and a ticket.
 */
export interface ApprovalPolicy {
  stage: Stage;
  redriveApprovalThreshold: number;
  approvalTtlMinutes: number;
  compensationApproval: boolean;
}

export const defaultPolicy = (stage: Stage): ApprovalPolicy => ({
  stage,
  redriveApprovalThreshold: REDRIVE_APPROVAL_THRESHOLD,
  approvalTtlMinutes: 60,
  compensationApproval: true,
});

export function redriveNeedsApproval(policy: ApprovalPolicy, messages: number): boolean {
  return messages > policy.redriveApprovalThreshold;
}

export function replayNeedsApproval(policy: ApprovalPolicy): boolean {
  return policy.stage === 'production';
}

export function compensationNeedsApproval(policy: ApprovalPolicy): boolean {
  return policy.compensationApproval;
}
