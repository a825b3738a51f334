/** What a write endpoint answers: started now (200), or waiting for a second person (202). */
export type ActionOutcome<T> =
  | { status: 'started'; result: T; auditSeq: number }
  | { status: 'pending_approval'; approvalId: string; expiresAt: string; auditSeq: number };
