// tollgate codes generate | redeem | batches: redemption codes from the operator's side. Generated codes are written
// once, as CSV (to --out or stdout); the store keeps only their hashes.
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { parseCredits } from '../domain/money/pico.js';
import { codesCsv } from '../domain/redemption/csv.js';
import { ApiError } from '../http/errors.js';
import { redemptionStoreFor } from '../services/redemption/gateway-redemption.js';
import { BatchRequestError, generateBatch, redeemCode } from '../services/redemption/redemption-service.js';
import { batchView, redemptionView } from '../services/redemption/redemption-views.js';
import type { Store } from '../store/store.js';
import { CliError, optional, parse, parseIsoTime, printJson, required } from './args.js';

const USAGE = 'usage: tollgate codes generate --amount AMOUNT --count N [--expires-at ISO8601] [--per-account-limit N] '
  + '[--grant-expires-days N] [--note TEXT] [--out FILE] [--json] | codes redeem --account ID --code CODE [--json] | codes batches [--json]';

export async function codesCommand(argv: string[], store: Store): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'generate') return generate(rest, store);
  if (sub === 'redeem') return redeem(rest, store);
  if (sub === 'batches') return batches(rest, store);
  throw new CliError(USAGE);
}

function wholeNumber(text: string | undefined, flag: string): number | null {
  if (text === undefined) return null;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new CliError(`--${flag} must be a whole number`);
  return n;
}

async function generate(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, {
    amount: { type: 'string' }, count: { type: 'string' }, 'expires-at': { type: 'string' }, 'per-account-limit': { type: 'string' },
    'grant-expires-days': { type: 'string' }, note: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' },
  });
  let amount: bigint;
  try {
    amount = parseCredits(required(v, 'amount'));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`--amount: ${(err as Error).message}`);
  }
  const expires = optional(v, 'expires-at');
  const out = optional(v, 'out');
  // Opened before the batch exists: codes are shown only once, so they must never be generated into a file we cannot write.
  let fd: number | undefined;
  try {
    fd = out ? openSync(out, 'wx', 0o600) : undefined;
  } catch (err) {
    throw new CliError(`--out: cannot create ${out} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); it must not exist yet`);
  }
  let generated;
  try {
    generated = await generateBatch(redemptionStoreFor(store), {
      amount, count: wholeNumber(required(v, 'count'), 'count')!, expiresAt: expires ? parseIsoTime(expires, 'expires-at') : null,
      perAccountLimit: wholeNumber(optional(v, 'per-account-limit'), 'per-account-limit'),
      grantExpiresDays: wholeNumber(optional(v, 'grant-expires-days'), 'grant-expires-days'), note: optional(v, 'note') ?? null,
    }, Date.now());
  } catch (err) {
    if (fd !== undefined) {
      closeSync(fd);
      unlinkSync(out!);
    }
    if (err instanceof BatchRequestError) throw new CliError(`--${err.field.replace(/_/g, '-')}: ${err.message}`);
    throw err;
  }
  const { batch, codes } = generated;
  const csv = codesCsv({ batchId: batch.id, amount: batch.amount, expiresAt: batch.expiresAt }, codes.map((c) => ({ code: c.code, codeId: c.id })));
  if (fd !== undefined) {
    writeSync(fd, csv);
    closeSync(fd);
  }
  if (v.json) printJson({ ...batchView(batch), ...(out ? { out } : { codes }) });
  else if (out) process.stdout.write(`generated ${batch.count} codes (${batch.id}) into ${out}; they are not shown again\n`);
  else process.stdout.write(csv);
}

async function redeem(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, { account: { type: 'string' }, code: { type: 'string' }, json: { type: 'boolean' } });
  const accountId = required(v, 'account');
  if (!(await store.getAccount(accountId))) throw new CliError(`no account ${accountId}`);
  let redemption;
  try {
    redemption = await redeemCode({ store, codes: redemptionStoreFor(store) }, accountId, required(v, 'code'), Date.now());
  } catch (err) {
    if (err instanceof ApiError) throw new CliError(`${err.code ?? 'refused'}: ${err.message}`);
    throw err;
  }
  const view = redemptionView(redemption, Date.now());
  if (v.json) printJson(view);
  else process.stdout.write(`redeemed ${view.code_hint}: ${view.credits} credits to ${accountId} (${redemption.grant.id}, expires ${view.expires_at ?? 'never'})\n`);
}

async function batches(argv: string[], store: Store): Promise<void> {
  const v = parse(argv, { json: { type: 'boolean' } });
  const list = (await redemptionStoreFor(store).listBatches()).map(batchView);
  if (v.json) printJson(list);
  else for (const b of list) process.stdout.write(`${b.id}\t${b.credits} credits\t${b.redeemed}/${b.count} redeemed\texpires ${b.expires_at ?? 'never'}\n`);
}
