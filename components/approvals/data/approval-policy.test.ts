import { describe, expect, it } from 'vitest';
import { stages } from '@/infra/platform/description';
// eslint-disable-next-line import/no-restricted-paths -- a test, not client code: it compares the mirror with the server's real policy
import { defaultPolicy, redriveNeedsApproval as serverNeedsApproval } from '@/server/approvals/policy';
import { REDRIVE_APPROVAL_THRESHOLD, redriveNeedsApproval } from './approval-policy';

describe('the approval policy as the forms apply it', () => {
  it('uses the server’s redrive approval threshold in every stage', () => {
    for (const stage of stages) {
      expect(REDRIVE_APPROVAL_THRESHOLD).toBe(defaultPolicy(stage).redriveApprovalThreshold);
    }
  });

  it('asks for an approval for exactly the redrive sizes the server files for approval', () => {
    const t = REDRIVE_APPROVAL_THRESHOLD;
    for (const stage of stages) {
      for (const messages of [1, t - 1, t, t + 1, 10 * t]) {
        expect(redriveNeedsApproval(messages), `${messages} messages in ${stage}`).toBe(
          serverNeedsApproval(defaultPolicy(stage), messages),
        );
      }
    }
  });
});
