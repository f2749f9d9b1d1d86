// MemberStore on PostgreSQL (migrations/postgres/011_dashboard.sql).
import type pg from 'pg';
import { newId } from '../../domain/ids/ids.js';
import { toInvite, toMember, toSession, type InviteRecord, type MemberRecord, type MemberStore, type SessionRecord } from '../../services/dashboard/member-store.js';

type Row = Record<string, unknown>;

export class PgMemberStore implements MemberStore {
  constructor(private readonly pool: pg.Pool) {}

  async createMember(input: Omit<MemberRecord, 'id' | 'createdAt'>, now: number): Promise<MemberRecord | undefined> {
    const id = newId('member');
    const result = await this.pool.query(`INSERT INTO dashboard_members (id, account_id, email, role, password_hash, created_at)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING`,
    [id, input.accountId, input.email, input.role, input.passwordHash, now]);
    return (result.rowCount ?? 0) === 0 ? undefined : { ...input, id, createdAt: now };
  }

  async findMemberByEmail(email: string): Promise<MemberRecord | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM dashboard_members WHERE email = $1', [email]);
    return rows[0] && toMember(rows[0] as Row);
  }

  async listMembers(accountId: string): Promise<MemberRecord[]> {
    const { rows } = await this.pool.query('SELECT * FROM dashboard_members WHERE account_id = $1 ORDER BY created_at, id', [accountId]);
    return (rows as Row[]).map(toMember);
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.pool.query('INSERT INTO dashboard_sessions (id_hash, member_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [s.idHash, s.memberId, s.csrfToken, s.createdAt, s.expiresAt]);
  }

  async findSession(idHash: string, now: number): Promise<{ session: SessionRecord; member: MemberRecord } | undefined> {
    const { rows } = await this.pool.query(`SELECT s.id_hash, s.member_id, s.csrf_token, s.created_at AS s_created_at, s.expires_at,
        m.id, m.account_id, m.email, m.role, m.password_hash, m.created_at
      FROM dashboard_sessions s JOIN dashboard_members m ON m.id = s.member_id WHERE s.id_hash = $1 AND s.expires_at > $2`, [idHash, now]);
    const row = rows[0] as Row | undefined;
    if (!row) return undefined;
    return { session: toSession({ ...row, created_at: row.s_created_at }), member: toMember(row) };
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.pool.query('DELETE FROM dashboard_sessions WHERE id_hash = $1', [idHash]);
  }
  async createInvite(i: InviteRecord): Promise<void> {
    await this.pool.query('INSERT INTO dashboard_invites (token_hash, account_id, email, role, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [i.tokenHash, i.accountId, i.email, i.role, i.createdAt, i.expiresAt]);
  }

  async findInvite(tokenHash: string, now: number): Promise<InviteRecord | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM dashboard_invites WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2', [tokenHash, now]);
    return rows[0] && toInvite(rows[0] as Row);
  }

  async useInvite(tokenHash: string, now: number): Promise<boolean> {
    const r = await this.pool.query('UPDATE dashboard_invites SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1', [now, tokenHash]);
    return (r.rowCount ?? 0) === 1;
  }
}
