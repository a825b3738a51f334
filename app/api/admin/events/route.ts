import { adminRoute, injectEvents, injectEventsInput } from '@/server/platform/local/admin';

export const dynamic = 'force-dynamic';

/** Hands raw events to the embedded bus (e.g. a poison message on purpose). The engine validates them. */
export const POST = adminRoute(injectEventsInput, (input) => injectEvents(input.events));
