// tollgate credits grant | balance | void: the operator's hand on an account's wallet.
import { GRANT_SOURCES, type GrantSource } from '../domain/ledger/lots.js';
import { formatCredits, parseCredits } from '../domain/money/pico.js';
import { balanceView, grantView } from '../views/views.js';
import { IdempotencyConflictError } from '../store/sqlite/postings.js';
import type { Store } from '../store/store.js';
import { CliError, optional, parse, parseIsoTime, printJson, required } from './args.js';

/** A grant's amount is one signed 64-bit column of pico-credits. */
const MAX_GRANT = 2n ** 63n - 1n;

export async function creditsCommand(argv: string[], store: Store): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'grant') return grant(rest, store);
  if (sub === 'balance') return balance(rest, store);
  if (sub === 'void') return voidGrant(rest, store);
  throw new CliError('usage: tollgate credits grant --account ID --amount AMOUNT [--expires-at ISO8601] [--source SOURCE] ' +
    '[--priority N] [--idempotency-key KEY] [--json] | credits balance --account ID [--json] | credits void --grant ID');
}

async function grant(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, {
    account: { type: 'string' }, amount: { type: 'string' }, 'expires-at': { type: 'string' }, source: { type: 'string' },
    priority: { type: 'string' }, 'idempotency-key': { type: 'string' }, note: { type: 'string' }, json: { type: 'boolean' },
  });
  const accountId = required(v, 'account');
  if (!(await store.getAccount(accountId))) throw new CliError(`no account ${accountId}`);
  let amount: bigint;
  try {
    amount = parseCredits(required(v, 'amount'));
  } catch (err) {
    throw new CliError(`--amount: ${(err as Error).message}`);
  }
  if (amount <= 0n) throw new CliError('--amount must be above zero');
  if (amount > MAX_GRANT) throw new CliError(`--amount must be at most ${formatCredits(MAX_GRANT)} credits per grant`);
  const source = (optional(v, 'source') ?? 'adjustment') as GrantSource;
  if (!GRANT_SOURCES.includes(source)) throw new CliError(`--source must be one of ${GRANT_SOURCES.join(', ')}`);
  const expiresText = optional(v, 'expires-at');
  const now = Date.now();
  const expiresAt = expiresText ? parseIsoTime(expiresText, 'expires-at') : null;
  if (expiresAt !== null && expiresAt <= now) throw new CliError('--expires-at is in the past');
  const priorityText = optional(v, 'priority');
  const priority = priorityText === undefined ? undefined : Number(priorityText);
  if (priority !== undefined && !Number.isSafeInteger(priority)) throw new CliError('--priority must be an integer');
  const key = optional(v, 'idempotency-key');
  const note = optional(v, 'note');
  let inserted;
  try {
    inserted = await store.insertGrant({
      accountId, source, amount, expiresAt,
      ...(priority !== undefined ? { priority } : {}), ...(key ? { idempotencyKey: key } : {}), ...(note ? { note } : {}),
    }, now);
  } catch (err) {
    if (err instanceof IdempotencyConflictError) throw new CliError(err.message);
    throw err;
  }
  const { grant: g, created } = inserted;
  if (v.json) printJson({ ...grantView(g), created });
  else process.stdout.write(`${created ? 'granted' : 'already granted'} ${formatCredits(g.amount)} credits to ${accountId} (${g.id})\n`);
}

async function balance(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, { account: { type: 'string' }, json: { type: 'boolean' } });
  const accountId = required(v, 'account');
  if (!(await store.getAccount(accountId))) throw new CliError(`no account ${accountId}`);
  const view = await store.balance(accountId, Date.now());
  const out = balanceView(view);
  if (v.json) printJson(out);
  else {
    process.stdout.write(`available ${out.available} credits (held ${out.held})\n`);
    for (const g of out.grants) process.stdout.write(`  ${g.id}\t${g.source}\t${g.remaining}/${g.amount}\t${g.status}\texpires ${g.expires_at ?? 'never'}\n`);
  }
}

async function voidGrant(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, { grant: { type: 'string' }, json: { type: 'boolean' } });
  const g = await store.voidGrant(required(v, 'grant'), Date.now());
  if (!g) throw new CliError(`no grant ${String(v.grant)}`);
  if (v.json) printJson(grantView(g));
  else process.stdout.write(`voided ${g.id}\n`);
}
