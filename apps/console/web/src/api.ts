// Calls to the console server. The session lives in an HttpOnly cookie the page cannot read; the
// CSRF token it gets at sign-in is kept in memory only and sent on every state change.
export interface Me {
  tenant: string;
  role: 'analyst' | 'integrator' | 'admin' | 'auditor' | 'broker';
  subject: string;
  csrf: string;
  can: { read: boolean; triage: boolean; submit: boolean; admin: boolean };
}

let csrf = '';
export function setCsrf(t: string) {
  csrf = t;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T = any>(path: string, init: { method?: string; body?: unknown; raw?: Blob; contentType?: string } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  let body: BodyInit | undefined;
  if (init.raw) {
    body = init.raw;
    headers['content-type'] = init.contentType || 'application/octet-stream';
  } else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, json?.message ?? `${res.status} ${res.statusText}`);
  return json as T;
}
