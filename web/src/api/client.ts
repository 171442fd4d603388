// The typed API client (openapi-fetch over the generated schema). Every call carries the
// access token; a 401 is retried once after exchanging the refresh token.
import createClient from 'openapi-fetch';
import type { paths } from './schema';
import { fromSessionOut, getSession, setSession } from './session';

/** An error answer of the API: its stable `code`, the `detail` meant for people and, for
 * `validation_failed`, the message for each field. */
export class ApiError extends Error {
  constructor(
    public code: string,
    public detail: string,
    public status: number,
    public fields: Record<string, string> = {},
  ) {
    super(detail);
  }
}

let refreshing: Promise<boolean> | null = null;

async function refresh(): Promise<boolean> {
  const s = getSession();
  if (!s) return false;
  const res = await fetch('/v1/auth/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: s.refresh }),
  });
  if (!res.ok) {
    setSession(null);
    return false;
  }
  setSession(fromSessionOut(await res.json()));
  return true;
}

/** `fetch` with the bearer token and one refresh-and-retry on 401. */
export async function authFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const send = (req: Request) => {
    const token = getSession()?.access;
    if (token && !req.headers.has('authorization')) req.headers.set('authorization', `Bearer ${token}`);
    return fetch(req);
  };
  const res = await send(input);
  if (res.status !== 401 || !getSession() || input.url.includes('/v1/auth/')) return res;
  refreshing ??= refresh().finally(() => (refreshing = null));
  return (await refreshing) ? send(retry) : res;
}

export const api = createClient<paths>({ baseUrl: window.location.origin, fetch: authFetch });

/** The API's `{code, detail, fields}` from an error body, never raw internals. */
export function toApiError(error: unknown, status: number): ApiError {
  const e = error as { code?: unknown; detail?: unknown; fields?: unknown } | undefined;
  if (e && typeof e.code === 'string' && typeof e.detail === 'string') {
    const fields: Record<string, string> = {};
    if (e.fields && typeof e.fields === 'object') {
      for (const [k, v] of Object.entries(e.fields)) if (typeof v === 'string') fields[k] = v;
    }
    return new ApiError(e.code, e.detail, status, fields);
  }
  if (status >= 500) return new ApiError('server_error', 'The server had a problem; try again in a moment.', status);
  return new ApiError('unexpected', `The server answered ${status}.`, status);
}

/** Unwraps an openapi-fetch result: the data, or throws the API's error. */
export async function call<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r;
  try {
    r = await p;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError('network', 'Cannot reach the server; check your connection.', 0);
  }
  if (r.error !== undefined || !r.response.ok) throw toApiError(r.error, r.response.status);
  return r.data as T;
}

/** Messages for people: the API's detail, or a generic sentence for anything else. */
export function message(e: unknown): string {
  if (e instanceof ApiError) return e.detail;
  return 'Something went wrong; try again.';
}

/** A file the API serves (CSV exports…) as a Blob, with the bearer token; throws the API's error. */
export async function fetchBlob(path: string): Promise<Blob> {
  let res: Response;
  try {
    res = await authFetch(new Request(path));
  } catch {
    throw new ApiError('network', 'Cannot reach the server; check your connection.', 0);
  }
  if (!res.ok) throw toApiError(await res.json().catch(() => undefined), res.status);
  return res.blob();
}
