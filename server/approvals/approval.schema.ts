/** Approval requests (maker-checker), as zod. Pure: the approvals page imports it. */
import { z } from 'zod';
import { isoTime } from '../platform/platform.schema';

export { REDRIVE_APPROVAL_THRESHOLD } from './approval-threshold.schema';

export const approvalActions = [
  'redrive.start',
  'replay.start',
  'saga.compensate',
  'saga.resume',
  'queue.quarantine',
] as const;
export type ApprovalAction = (typeof approvalActions)[number];
export const approvalStatuses = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED', 'EXECUTED', 'FAILED'] as const;
export type ApprovalStatus = (typeof approvalStatuses)[number];

export const approvalSchema = z.object({
  id: z.string(),
  action: z.enum(approvalActions),
  target: z.string(),
  input: z.string(), // JSON text of the verb's request
  preview: z.string().nullable(), // JSON text: what the requester saw
  reason: z.string(),
  ticket: z.string(),
  requestedBy: z.string(),
  requestedByName: z.string(),
  requestedRole: z.string(),
  requestedAt: isoTime,
  expiresAt: isoTime,
  status: z.enum(approvalStatuses),
  decidedBy: z.string().nullable(),
  decidedByName: z.string().nullable(),
  decidedAt: isoTime.nullable(),
  decisionComment: z.string().nullable(),
  result: z.string().nullable(), // JSON text of the executed action's result or error
});
export type Approval = z.infer<typeof approvalSchema>;

export const approvalListQuery = z.object({
  status: z.enum(approvalStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
