// Dashboard sign-up and invitations. Without an invitation, sign-up needs TOLLGATE_SIGNUP_MODE=open and creates an
// account (default project, sign-up grant) with the person as owner. An owner's invitation joins their account with
// the invited role (any mode); an operator's invitation (no account) creates a new account, unless the mode is
// `operator`. An invitation names one email, is used once, and expires after 7 days.
import { createHash, randomBytes } from 'node:crypto';
import { ApiError, InvalidRequestError } from '../../http/errors.js';
import { openAccount } from '../accounts.js';
import type { GatewayDeps } from '../gateway-deps.js';
import type { MemberRecord, MemberStore, Role } from './member-store.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from './passwords.js';

const INVITE_MS = 7 * 86_400_000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Makes an invitation and returns its token (shown once; only its hash is stored). */
export async function issueInvite(
  members: MemberStore, input: { accountId: string | null; email: string; role: Role }, now: number,
): Promise<{ token: string; expiresAt: number }> {
  const email = normalizeEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new InvalidRequestError("Invalid 'email'.", 'email');
  const token = randomBytes(24).toString('base64url');
  const expiresAt = now + INVITE_MS;
  await members.createInvite({ tokenHash: sha256(token), accountId: input.accountId, email, role: input.role, createdAt: now, expiresAt });
  return { token, expiresAt };
}

const taken = () => new ApiError(409, 'That email already has an account; sign in.', { code: 'email_taken' });

export async function signUp(
  deps: GatewayDeps, members: MemberStore, input: { email: string; password: string; inviteToken?: string | undefined; accountName?: string | undefined },
): Promise<MemberRecord> {
  const email = normalizeEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new InvalidRequestError("Invalid 'email'.", 'email');
  if (input.password.length < MIN_PASSWORD_LENGTH) throw new InvalidRequestError(`The password needs at least ${MIN_PASSWORD_LENGTH} characters.`, 'password');
  const now = deps.now();
  const invite = input.inviteToken ? await members.findInvite(sha256(input.inviteToken), now) : undefined;
  if (input.inviteToken && (!invite || invite.email !== email)) {
    throw new ApiError(403, 'This invitation is unknown, used, expired, or for another email.', { type: 'permission_error', code: 'invalid_invite' });
  }
  const newAccount = !invite || invite.accountId === null;
  if (newAccount && deps.config.signupMode === 'operator') {
    throw new ApiError(403, 'Sign-up is closed: the operator adds members.', { type: 'permission_error', code: 'signup_closed' });
  }
  if (!invite && deps.config.signupMode !== 'open') {
    throw new ApiError(403, 'Sign-up needs an invitation.', { type: 'permission_error', code: 'invite_required' });
  }
  if (await members.findMemberByEmail(email)) throw taken();
  const passwordHash = await hashPassword(input.password);
  if (invite && !(await members.useInvite(invite.tokenHash, deps.now()))) {
    throw new ApiError(403, 'This invitation was just used.', { type: 'permission_error', code: 'invalid_invite' });
  }
  const accountId = invite?.accountId
    ?? (await openAccount(deps.store, deps.config, { name: input.accountName ?? email }, deps.now())).account.id;
  const member = await members.createMember({ accountId, email, role: invite?.accountId ? invite.role : 'owner', passwordHash }, deps.now());
  if (!member) throw taken();
  return member;
}
