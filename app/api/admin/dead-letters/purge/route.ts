import { adminRoute, purgeDeadLetters, purgeDeadLettersInput } from '@/server/platform/local/admin';

export const dynamic = 'force-dynamic';

/** POST /api/admin/dead-letters/purge { queue: "processing" }: empties that queue's DLQ (local only). */
export const POST = adminRoute(purgeDeadLettersInput, ({ queue }) => purgeDeadLetters(queue));
