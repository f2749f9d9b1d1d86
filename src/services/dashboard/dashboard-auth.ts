// Dashboard sessions: sign-in (scrypt check, throttled), random session ids stored only as their SHA-256, an
// HttpOnly SameSite=Strict cookie (Secure over https), a per-session CSRF token required on every state-changing
// request, and the role matrix (reader < member < owner) enforced here, server-side.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, PermissionDeniedError } from '../../http/errors.js';
import type { GatewayDeps } from '../gateway-deps.js';
import type { MemberRecord, MemberStore, Role, SessionRecord } from './member-store.js';
import { memberStoreFor } from './open-member-store.js';
import { decoyHash, verifyPassword } from './passwords.js';
import { SignInThrottle } from './sign-in-throttle.js';
import { normalizeEmail } from './sign-up.js';

export { normalizeEmail };

export const SESSION_COOKIE = 'tg_session';
export const CSRF_HEADER = 'x-tollgate-csrf';
const SESSION_MS = 7 * 86_400_000;
const RANK: Record<Role, number> = { reader: 0, member: 1, owner: 2 };

export interface Session {
  session: SessionRecord;
  member: MemberRecord;
}

interface DashboardState {
  members: MemberStore;
  throttle: SignInThrottle;
}

const states = new WeakMap<object, DashboardState>();

/** Per-gateway dashboard state (its member store and sign-in throttle), made on first use. */
export function dashboardState(deps: GatewayDeps): DashboardState {
  let s = states.get(deps.store);
  if (!s) {
    s = { members: memberStoreFor(deps.store), throttle: new SignInThrottle() };
    states.set(deps.store, s);
  }
  return s;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/** Checks the password (throttled per email and IP) and opens a session; sets the cookie. */
export async function signIn(req: IncomingMessage, res: ServerResponse, deps: GatewayDeps, emailIn: string, password: string): Promise<Session> {
  const { members, throttle } = dashboardState(deps);
  const email = normalizeEmail(emailIn);
  const ip = clientIp(req);
  const wait = throttle.retryAfter(email, ip, deps.now());
  if (wait > 0) {
    throw new ApiError(429, `Too many failed sign-in attempts; try again in ${wait} seconds.`, {
      type: 'requests', code: 'rate_limit_exceeded', headers: { 'retry-after': String(wait) },
    });
  }
  const member = await members.findMemberByEmail(email);
  const ok = await verifyPassword(password, member?.passwordHash ?? await decoyHash());
  if (!member || !ok) {
    throttle.fail(email, ip, deps.now());
    throw new ApiError(401, 'Incorrect email or password.', { code: 'invalid_credentials' });
  }
  throttle.succeed(email);
  return openSession(req, res, deps, member);
}

export async function openSession(req: IncomingMessage, res: ServerResponse, deps: GatewayDeps, member: MemberRecord): Promise<Session> {
  const id = randomBytes(32).toString('base64url');
  const now = deps.now();
  const session: SessionRecord = {
    idHash: sha256(id), memberId: member.id, csrfToken: randomBytes(24).toString('base64url'), createdAt: now, expiresAt: now + SESSION_MS,
  };
  await dashboardState(deps).members.createSession(session);
  res.setHeader('set-cookie', cookie(req, deps, id, SESSION_MS / 1000));
  return { session, member };
}

export async function signOut(req: IncomingMessage, res: ServerResponse, deps: GatewayDeps): Promise<void> {
  const id = sessionCookie(req);
  if (id) await dashboardState(deps).members.deleteSession(sha256(id));
  res.setHeader('set-cookie', cookie(req, deps, '', 0));
}

function cookie(req: IncomingMessage, deps: GatewayDeps, value: string, maxAgeSeconds: number): string {
  const secure = deps.config.cookieSecure === 'always' ||
    (deps.config.cookieSecure === 'auto' && ((req.socket as { encrypted?: boolean }).encrypted === true || req.headers['x-forwarded-proto'] === 'https'));
  return `${SESSION_COOKIE}=${value}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

function sessionCookie(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=') || undefined;
  }
  return undefined;
}

/**
 * The signed-in member, with at least `role`. State-changing methods must also carry the session's CSRF token in
 * the x-tollgate-csrf header (a cross-site form cannot set it).
 */
export async function requireSession(req: IncomingMessage, deps: GatewayDeps, role: Role): Promise<Session> {
  const id = sessionCookie(req);
  const found = id ? await dashboardState(deps).members.findSession(sha256(id), deps.now()) : undefined;
  if (!found) throw new ApiError(401, 'Sign in to the dashboard first.', { code: 'not_signed_in' });
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const given = req.headers[CSRF_HEADER];
    const expected = Buffer.from(found.session.csrfToken);
    if (typeof given !== 'string' || given.length !== expected.length || !timingSafeEqual(Buffer.from(given), expected)) {
      throw new PermissionDeniedError('Missing or wrong CSRF token (x-tollgate-csrf).');
    }
  }
  if (RANK[found.member.role] < RANK[role]) {
    throw new PermissionDeniedError(`This needs the ${role} role; you are a ${found.member.role}.`);
  }
  return found;
}
