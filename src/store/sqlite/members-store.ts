// MemberStore on the SQLite file (migrations/sqlite/011_dashboard.sql).
import { newId } from '../../domain/ids/ids.js';
import { toInvite, toMember, toSession, type InviteRecord, type MemberRecord, type MemberStore, type SessionRecord } from '../../services/dashboard/member-store.js';
import type { SqliteDb } from './database.js';

type Row = Record<string, unknown>;

export class SqliteMemberStore implements MemberStore {
  constructor(private readonly db: SqliteDb) {}

  async createMember(input: Omit<MemberRecord, 'id' | 'createdAt'>, now: number): Promise<MemberRecord | undefined> {
    const id = newId('member');
    const changed = this.db.prepare(`INSERT INTO dashboard_members (id, account_id, email, role, password_hash, created_at)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING`)
      .run(id, input.accountId, input.email, input.role, input.passwordHash, now).changes;
    return changed === 0 ? undefined : { ...input, id, createdAt: now };
  }

  async findMemberByEmail(email: string): Promise<MemberRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM dashboard_members WHERE email = ?').get(email) as Row | undefined;
    return row && toMember(row);
  }

  async listMembers(accountId: string): Promise<MemberRecord[]> {
    const rows = this.db.prepare('SELECT * FROM dashboard_members WHERE account_id = ? ORDER BY created_at, id').all(accountId) as Row[];
    return rows.map(toMember);
  }

  async createSession(s: SessionRecord): Promise<void> {
    this.db.prepare('INSERT INTO dashboard_sessions (id_hash, member_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(s.idHash, s.memberId, s.csrfToken, s.createdAt, s.expiresAt);
  }

  async findSession(idHash: string, now: number): Promise<{ session: SessionRecord; member: MemberRecord } | undefined> {
    const row = this.db.prepare(`SELECT s.id_hash, s.member_id, s.csrf_token, s.created_at AS s_created_at, s.expires_at,
        m.id, m.account_id, m.email, m.role, m.password_hash, m.created_at
      FROM dashboard_sessions s JOIN dashboard_members m ON m.id = s.member_id WHERE s.id_hash = ? AND s.expires_at > ?`)
      .get(idHash, now) as Row | undefined;
    if (!row) return undefined;
    return { session: toSession({ ...row, created_at: row.s_created_at }), member: toMember(row) };
  }

  async deleteSession(idHash: string): Promise<void> {
    this.db.prepare('DELETE FROM dashboard_sessions WHERE id_hash = ?').run(idHash);
  }
  async createInvite(i: InviteRecord): Promise<void> {
    this.db.prepare('INSERT INTO dashboard_invites (token_hash, account_id, email, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(i.tokenHash, i.accountId, i.email, i.role, i.createdAt, i.expiresAt);
  }

  async findInvite(tokenHash: string, now: number): Promise<InviteRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM dashboard_invites WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?')
      .get(tokenHash, now) as Row | undefined;
    return row && toInvite(row);
  }

  async useInvite(tokenHash: string, now: number): Promise<boolean> {
    return this.db.prepare('UPDATE dashboard_invites SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?')
      .run(now, tokenHash, now).changes === 1;
  }
}
