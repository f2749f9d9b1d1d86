// Calls to the dashboard's JSON API (session cookie + CSRF header) and to the operator's admin API (bearer token
// kept in memory only, never in storage).
export interface Me {
  email: string;
  role: 'owner' | 'member' | 'reader';
  account_id: string;
  account_name: string;
  csrf_token: string;
}

export class ApiFailure extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

let csrf = '';
export function setCsrf(token: string): void {
  csrf = token;
}

async function call<T>(url: string, method: string, body: unknown, headers: Record<string, string>): Promise<T> {
  const res = await fetch(url, {
    method, credentials: 'same-origin',
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) as unknown : {};
  if (!res.ok) {
    const message = (data as { error?: { message?: string } }).error?.message ?? `HTTP ${res.status}`;
    throw new ApiFailure(res.status, message);
  }
  return data as T;
}

export function api<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  return call<T>(`/dashboard/api${path}`, method, body, method === 'GET' ? {} : { 'x-tollgate-csrf': csrf });
}

/** A call that also returns a response header (the playground's x-tollgate-cost). */
export async function apiWithHeader<T>(path: string, body: unknown, header: string): Promise<{ data: T; header: string | null }> {
  const res = await fetch(`/dashboard/api${path}`, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-tollgate-csrf': csrf }, body: JSON.stringify(body),
  });
  const data = await res.json() as unknown;
  if (!res.ok) throw new ApiFailure(res.status, (data as { error?: { message?: string } }).error?.message ?? `HTTP ${res.status}`);
  return { data: data as T, header: res.headers.get(header) };
}

let adminToken = '';
export function setAdminToken(token: string): void {
  adminToken = token;
}
export function hasAdminToken(): boolean {
  return adminToken !== '';
}
export function admin<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  return call<T>(`/admin/v1${path}`, method, body, { authorization: `Bearer ${adminToken}` });
}
