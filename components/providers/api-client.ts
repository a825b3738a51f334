/**
 * The console's one fetcher for its API (/api/platform/**): JSON in, typed JSON out, and every
 * failure as an ApiError carrying the status, the error code and the server's request id.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Params = Record<string, string | number | undefined | null>;

export function withQuery(path: string, params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
}

interface ErrorBody {
  error?: { code?: string; message?: string; requestId?: string; field?: string };
}

/** The ApiError for a failed response, from the server's error body when it sent one. */
export function errorFromResponse(response: Response, body: unknown): ApiError {
  const error = (body as ErrorBody | null)?.error;
  return new ApiError(
    response.status,
    error?.code ?? `HTTP${response.status}`,
    error?.message ?? `The request failed with status ${response.status}`,
    error?.requestId ?? response.headers.get('x-request-id'),
    error?.field,
  );
}

/** The ApiError for a request that never reached the server. */
export function networkError(): ApiError {
  return new ApiError(0, 'NetworkError', 'The console could not reach its server', null);
}

export async function apiGet<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(withQuery(path, params), {
      signal,
      headers: { accept: 'application/json' },
      cache: 'no-store',
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw networkError();
  }
  if (!response.ok) throw errorFromResponse(response, await response.json().catch(() => null));
  return (await response.json()) as T;
}

/** Never retry client errors (4xx); retry server and network errors twice. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}
