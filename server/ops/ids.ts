import 'server-only';
import type { z } from 'zod';
import { PlatformError } from '../platform/port';

/**
 * An id from the request path, parsed by its kind's strict schema (server/platform/inputs.schema.ts):
 * a string of another form names nothing, so it answers 404 naming the field and the expected
 * form, before any platform call.
 */
export function pathId(schema: z.ZodType<string>, field: string, raw: string | undefined): string {
  const parsed = schema.safeParse(raw ?? '');
  if (parsed.success) return parsed.data;
  const shown = JSON.stringify((raw ?? '').slice(0, 100));
  throw new PlatformError(
    'NotFound',
    `${field}: ${shown} is not an id of this kind (${parsed.error.issues[0]?.message ?? 'invalid'})`,
    field,
  );
}
