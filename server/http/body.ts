import 'server-only';
import { HttpError } from './errors';

/**
 * The largest request body any route accepts unless it says otherwise (route() option
 * `maxBodyBytes`). The console's inputs are small JSON objects (a reason ≤ 500 characters, a
 * filter, a few ids); 256 kB leaves ample room and refuses a flood before it is buffered.
 */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    'PayloadTooLarge',
    `body: the request body must be at most ${Math.floor(limit / 1024)} kB`,
    'body',
  );
}

/**
 * Refuses a body whose declared Content-Length exceeds the limit, before anything is read.
 * A malformed Content-Length is refused too (Node's parser already rejects most of them).
 */
export function assertContentLength(request: Request, limit = DEFAULT_MAX_BODY_BYTES): void {
  const declared = request.headers.get('content-length');
  if (declared === null) return;
  if (!/^\d{1,15}$/.test(declared.trim())) {
    throw new HttpError(400, 'InvalidContentLength', 'content-length: must be a decimal byte count', 'content-length');
  }
  if (Number(declared) > limit) throw tooLarge(limit);
}

/**
 * The request body as bytes, read as a counted stream: a body without Content-Length (chunked)
 * is refused with 413 as soon as it passes the limit, the rest never read or buffered.
 */
export async function readBodyBytes(
  request: Request,
  limit = DEFAULT_MAX_BODY_BYTES,
): Promise<Uint8Array<ArrayBuffer>> {
  assertContentLength(request, limit);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** The body parsed as JSON, within the limit (413 naming `body`), 400 naming `body` when it is not JSON. */
export async function readJsonBody(request: Request, limit = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  const bytes = await readBodyBytes(request, limit);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new HttpError(400, 'InvalidJson', 'body: the request body must be JSON', 'body');
  }
}

/** A form body (urlencoded or multipart) as string fields, within the limit; file parts become ''. */
export async function readFormBody(request: Request, limit = DEFAULT_MAX_BODY_BYTES): Promise<Record<string, string>> {
  const bytes = await readBodyBytes(request, limit);
  const contentType = request.headers.get('content-type') ?? 'application/x-www-form-urlencoded';
  let data: FormData;
  try {
    data = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new HttpError(400, 'InvalidForm', 'body: the request body must be a form', 'body');
  }
  return Object.fromEntries([...data.entries()].map(([k, v]) => [k, typeof v === 'string' ? v : '']));
}
