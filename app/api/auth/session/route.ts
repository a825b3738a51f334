import { permissionMatrix } from '@/server/auth/permissions.schema';
import { csrfTokenOf, getSession } from '@/server/auth/session';

export const dynamic = 'force-dynamic';

/** Who is signed in, what they may do, and the CSRF token to echo on mutating requests. */
export async function GET(request: Request): Promise<Response> {
  const session = await getSession(request);
  const body = session
    ? { caller: session.caller, permissions: permissionMatrix[session.caller.role], csrfToken: csrfTokenOf(session) }
    : { caller: null, permissions: [], csrfToken: null };
  return Response.json(body, { status: session ? 200 : 401, headers: { 'cache-control': 'no-store' } });
}
