// The store port: every persistent read and write Tollgate makes goes through this interface.
// Adapters (sqlite/, postgres/) implement it; money moves only through insertGrant, commitBatch and the
// expire/void/recover postings, each atomic and idempotent.
import type { Pico } from '../domain/money/pico.js';
import type { Draw } from '../domain/ledger/lots.js';
import type { Price } from '../domain/pricing/price.js';
import type { Budget } from '../domain/budgets/budget.js';
import type { PurchaseHistory } from '../domain/rate-limits/tiers.js';
import type {
  Account, ApiKeyRecord, BalanceView, GrantRecord, KeyKind, LedgerEntry, NewGrant, OpenHold, Project, UsageRecord,
} from './records.js';

export interface NewKey {
  accountId: string;
  projectId: string | null;
  kind: KeyKind;
  name: string;
  secretHash: string;
  redacted: string;
}

export interface KeyLookup {
  key: ApiKeyRecord;
  account: Account;
}

/** A hold to record (written after the fact, in the next batch: the wallet decided it already). */
export interface HoldPosting {
  requestId: string;
  accountId: string;
  amount: Pico;
  at: number;
  budgetRefs: readonly string[];
  /** What the hold is for, so a hold left by a crash can still be written up as a usage record. */
  meta: HoldMeta;
}

export interface HoldMeta {
  projectId: string | null;
  keyId: string | null;
  model: string;
  endpoint: string;
  stream: boolean;
}

/** Ends a hold: capture `draws` from grants, release the rest, record usage — all in one atomic step. */
export interface SettlementPosting {
  requestId: string;
  accountId: string;
  holdAmount: Pico;
  holdAt: number;
  /** Budget period rows ("budgetId@periodKey") the hold counted against; the capture is added to their spend. */
  budgetRefs: readonly string[];
  draws: Draw[];
  usage: UsageRecord;
  at: number;
}

/** A budget as set by an operator or account: everything but its id and creation time. */
export type NewBudget = Omit<Budget, 'id' | 'createdAt'>;

export interface BudgetStatus {
  budget: Budget;
  periodKey: string;
  spent: Pico;
  held: Pico;
}

export interface RateLimitOverride {
  /** A model family of the tier ladder, or '*' for every model. */
  family: string;
  rpm: number | null;
  tpm: number | null;
  rpd: number | null;
}

export interface PostingBatch {
  holds: readonly HoldPosting[];
  settlements: readonly SettlementPosting[];
  usages: readonly UsageRecord[];
}

export interface LedgerTotals {
  granted: Pico;
  captured: Pico;
  expired: Pico;
  voided: Pico;
  refunded: Pico;
  remaining: Pico;
  openHolds: Pico;
}

export interface UsageQuery {
  accountId: string;
  since?: number;
  until?: number;
  limit?: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';

  createAccount(input: { name: string; tier?: string; now: number }): Promise<{ account: Account; project: Project }>;
  getAccount(id: string): Promise<Account | undefined>;
  listAccounts(): Promise<Account[]>;
  createProject(input: { accountId: string; name: string; now: number }): Promise<Project>;
  getProject(id: string): Promise<Project | undefined>;
  listProjects(accountId: string): Promise<Project[]>;

  createKey(input: NewKey, now: number): Promise<ApiKeyRecord>;
  revokeKey(id: string, now: number): Promise<boolean>;
  findKeyByHash(secretHash: string): Promise<KeyLookup | undefined>;
  listKeys(accountId: string): Promise<ApiKeyRecord[]>;

  /** Idempotent: a second grant with the same idempotency key returns the first, with created=false. */
  insertGrant(grant: NewGrant, now: number): Promise<{ grant: GrantRecord; created: boolean }>;
  listGrants(accountId: string): Promise<GrantRecord[]>;
  /** Posts `expire` for every grant past its expiry that still has credit left; returns how many. */
  expireGrants(now: number): Promise<number>;
  voidGrant(grantId: string, now: number): Promise<GrantRecord | undefined>;
  balance(accountId: string, now: number): Promise<BalanceView>;

  /** Holds not yet settled (on a running gateway, requests in flight; after a crash, what recovery resolves). */
  openHolds(): Promise<OpenHold[]>;

  /** Writes a usage record outside any hold (a request refused before it was held). */
  recordUsage(usage: UsageRecord): Promise<void>;
  listUsage(query: UsageQuery): Promise<UsageRecord[]>;
  listLedger(accountId: string): Promise<LedgerEntry[]>;
  /** Captured spend per UTC day (key: days since the epoch) from `since` on, from the usage records. */
  spendByDay(accountId: string, since: number): Promise<Map<number, Pico>>;
  ledgerTotals(accountId?: string): Promise<LedgerTotals>;

  /** Sets the budget of a scope (one per scope; an existing one keeps its id, so its period's spend carries on). */
  setBudget(input: NewBudget, now: number): Promise<Budget>;
  listBudgets(accountId: string): Promise<Budget[]>;
  deleteBudget(budgetId: string, now: number): Promise<boolean>;
  /** Captured spend and open holds of each budget of the account in its current period. */
  budgetStatus(accountId: string, now: number): Promise<BudgetStatus[]>;

  /** The operator's tier for the account: a floor that purchases can promote above. */
  setAccountTier(accountId: string, tier: string): Promise<boolean>;
  /** Σ of the account's `purchase` grants and when the first was made (tier promotion). */
  purchaseHistory(accountId: string): Promise<PurchaseHistory>;
  listRateLimitOverrides(projectId: string): Promise<RateLimitOverride[]>;
  setRateLimitOverride(projectId: string, override: RateLimitOverride, now: number): Promise<void>;

  listPrices(): Promise<Price[]>;
  insertPrices(rows: readonly Price[], source: 'builtin' | 'import' | 'operator', now: number): Promise<number>;

  /** One round trip to the store; throws when it cannot be reached (health checks). */
  ping(): Promise<void>;
  /** Changes whenever another process committed to the store (CLI edits); cheap enough to call per request. */
  changeToken(): Promise<number>;
  close(): Promise<void>;
}
