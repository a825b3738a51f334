import 'server-only';
import type { Stage } from '../../infra/platform/description';
import { REDRIVE_APPROVAL_THRESHOLD } from './approval.schema';

/**
 * The maker-checker policy: which actions need a second person's approval.
 * - compensations (and resumes) always (`compensationApproval`; off only in tests of the direct path);
 * - replays when the stage is production;
 * - redrives of more than `redriveApprovalThreshold` messages;
 * - quarantines (export, then delete dead letters) of any size in production, and of more than
 *   `quarantineApprovalThreshold` messages elsewhere (quarantineNeedsApproval says why).
 * Approvals expire after `approvalTtlMinutes`; a request carries a reason and a ticket.
 */
export interface ApprovalPolicy {
  stage: Stage;
  redriveApprovalThreshold: number;
  approvalTtlMinutes: number;
  compensationApproval: boolean;
  /** Outside production: quarantines of more messages than this wait for a second person (default 1). */
  quarantineApprovalThreshold?: number;
}

/**
 * Outside production a quarantine of one message runs at once (a stray poison message while
 * testing); two or more is a bulk deletion in which a wrong class choice deletes many messages
 * whose only copy is then the export, so a second person checks it.
 */
export const QUARANTINE_APPROVAL_THRESHOLD = 1;

export const defaultPolicy = (stage: Stage): ApprovalPolicy => ({
  stage,
  redriveApprovalThreshold: REDRIVE_APPROVAL_THRESHOLD,
  approvalTtlMinutes: 60,
  compensationApproval: true,
  quarantineApprovalThreshold: QUARANTINE_APPROVAL_THRESHOLD,
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

/**
 * A quarantine deletes dead letters from the platform; after it the export is the only copy. In
 * production every quarantine (more than 0 messages) needs a second person: the messages are
 * customers' payments, and the deletion cannot be undone from the console. Elsewhere only
 * batches above the threshold do.
 */
export function quarantineNeedsApproval(policy: ApprovalPolicy, messages: number): boolean {
  if (policy.stage === 'production') return messages > 0;
  return messages > (policy.quarantineApprovalThreshold ?? QUARANTINE_APPROVAL_THRESHOLD);
}
