// A dashboard API client for tests: signs a member in, keeps the session cookie and CSRF token like a browser.
import { request } from 'undici';
import type { Harness } from './harness.js';
import type { Role } from '../../src/services/dashboard/member-store.js';
import { memberStoreFor } from '../../src/services/dashboard/open-member-store.js';
import { hashPassword } from '../../src/services/dashboard/passwords.js';
import { normalizeEmail } from '../../src/services/dashboard/dashboard-auth.js';

export const PASSWORD = 'correct horse battery';

export interface DashResponse {
  status: number;
  json: any;
  headers: Record<string, string | string[] | undefined>;
}

export class DashboardClient {
  cookie = '';
  csrf = '';

  constructor(private readonly baseUrl: string) {}

  async call(method: string, path: string, body?: unknown, opts: { csrf?: boolean } = {}): Promise<DashResponse> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    if (opts.csrf !== false && this.csrf && method !== 'GET') headers['x-tollgate-csrf'] = this.csrf;
    const res = await request(`${this.baseUrl}${path}`, {
      method: method as 'GET', headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.body.text();
    const setCookie = res.headers['set-cookie'];
    const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
    if (first) this.cookie = first.split(';')[0]!;
    return { status: res.statusCode, json: text.startsWith('{') ? JSON.parse(text) : text, headers: res.headers };
  }

  async signIn(email: string, password = PASSWORD): Promise<DashResponse> {
    const res = await this.call('POST', '/dashboard/api/session', { email, password });
    if (res.status === 200) this.csrf = res.json.csrf_token;
    return res;
  }
}

/** Adds a member to an account directly in the store (what `tollgate members add` does). */
export async function addMember(h: Harness, accountId: string, email: string, role: Role, password = PASSWORD): Promise<void> {
  const created = await memberStoreFor(h.store).createMember({ accountId, email: normalizeEmail(email), role, passwordHash: await hashPassword(password) }, Date.now());
  if (!created) throw new Error(`member ${email} exists`);
}

export async function signedIn(h: Harness, accountId: string, email: string, role: Role): Promise<DashboardClient> {
  await addMember(h, accountId, email, role);
  const c = new DashboardClient(h.gateway.url);
  const res = await c.signIn(email);
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.json)}`);
  return c;
}
