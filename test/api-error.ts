import type { ApiErrorBody } from '@/server/http/errors';

/** The `error` of an API error answer (server/http/errors.ts ApiErrorBody). */
export async function errorOf(response: Response): Promise<ApiErrorBody['error']> {
  return ((await response.json()) as ApiErrorBody).error;
}
