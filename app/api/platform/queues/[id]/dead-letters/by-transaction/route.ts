import { otherMethods } from '@/server/http/methods';
import { route } from '@/server/http/route';
import { searchDeadLettersByTransaction } from '@/server/ops/read/triage';
import { searchDeadLettersInput } from '@/server/platform/inputs.schema';

export const dynamic = 'force-dynamic';

const query = searchDeadLettersInput.pick({ transactionId: true });

/** GET /api/platform/queues/[id]/dead-letters/by-transaction?transactionId=: the failure index's entries of one transaction. */
export const GET = route({ permission: 'platform.read', schema: query }, ({ ops, caller, input, params }) =>
  searchDeadLettersByTransaction(ops, caller, params.id ?? '', input.transactionId),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
