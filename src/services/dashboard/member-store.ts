// The MemberStore port: dashboard members (email, role, password hash) and their sign-in sessions. Adapters live in
// src/store/sqlite/members-store.ts and src/store/postgres/members-store.ts, chosen by memberStoreFor() (open-member-store.ts).

export const ROLES = ['owner', 'member', 'reader'] as const;
export type Role = (typeof ROLES)[number];

export interface MemberRecord {
  id: string;
  accountId: string;
  email: string;
  role: Role;
  passwordHash: string;
  createdAt: number;
}

export interface SessionRecord {
  idHash: string;
  memberId: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

export interface InviteRecord {
  tokenHash: string;
  /** The account to join; null for an operator's invitation to create a new account. */
  accountId: string | null;
  email: string;
  role: Role;
  createdAt: number;
  expiresAt: number;
}

export interface MemberStore {
  /** Returns undefined when the email is already taken (emails are unique across accounts). */
  createMember(input: Omit<MemberRecord, 'id' | 'createdAt'>, now: number): Promise<MemberRecord | undefined>;
  findMemberByEmail(email: string): Promise<MemberRecord | undefined>;
  listMembers(accountId: string): Promise<MemberRecord[]>;
  createSession(session: SessionRecord): Promise<void>;
  /** The session and its member, if the session exists and has not expired at `now`. */
  findSession(idHash: string, now: number): Promise<{ session: SessionRecord; member: MemberRecord } | undefined>;
  deleteSession(idHash: string): Promise<void>;
  createInvite(invite: InviteRecord): Promise<void>;
  /** The invitation, if it exists, is unused and has not expired at `now`. */
  findInvite(tokenHash: string, now: number): Promise<InviteRecord | undefined>;
  /** Marks it used; false when it was already used or expired (so two sign-ups cannot both take it). */
  useInvite(tokenHash: string, now: number): Promise<boolean>;
}

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

type Row = Record<string, unknown>;

export function toMember(r: Row): MemberRecord {
  return {
    id: String(r.id), accountId: String(r.account_id), email: String(r.email), role: r.role as Role,
    passwordHash: String(r.password_hash), createdAt: Number(r.created_at),
  };
}

export function toSession(r: Row): SessionRecord {
  return {
    idHash: String(r.id_hash), memberId: String(r.member_id), csrfToken: String(r.csrf_token),
    createdAt: Number(r.created_at), expiresAt: Number(r.expires_at),
  };
}

export function toInvite(r: Row): InviteRecord {
  return {
    tokenHash: String(r.token_hash), accountId: r.account_id === null ? null : String(r.account_id), email: String(r.email),
    role: r.role as Role, createdAt: Number(r.created_at), expiresAt: Number(r.expires_at),
  };
}
