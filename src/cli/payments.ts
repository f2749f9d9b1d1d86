// tollgate plans | checkout | recharge: the plans on sale, a checkout link for an account, and its auto-recharge.
import type { Config } from '../config/config.js';
import { parseCredits } from '../domain/money/pico.js';
import { PlanError } from '../domain/payments/plans.js';
import { paymentStoreFor, providerFor } from '../services/payments/gateway-payments.js';
import { checkRecharge, paymentView, planFromFields, planView, RechargeSettingsError, rechargeView } from '../services/payments/payment-views.js';
import { startCheckout, UnknownPlanError } from '../services/payments/payments.js';
import type { Store } from '../store/store.js';
import { CliError, optional, parse, printJson, required } from './args.js';

const PLANS_USAGE = 'usage: tollgate plans set --id ID --kind pack --price-cents N --credits C [--bonus C] [--name NAME] [--currency usd] [--inactive]\n'
  + '       tollgate plans set --id ID --kind custom --min-cents N --max-cents N [--credits-per-cent C] [--name NAME] [--inactive]\n'
  + '       tollgate plans list [--json]';
const RECHARGE_USAGE = 'usage: tollgate recharge set --account ID --threshold C (--amount C | --target C) --monthly-cap C '
  + '[--customer ID] [--payment-method ID] [--off] [--json] | recharge show --account ID [--json]';

export async function plansCommand(argv: string[], store: Store, config: Config): Promise<void> {
  const [sub, ...rest] = argv;
  const payments = paymentStoreFor(store);
  if (sub === 'list') {
    const v = parse(rest, { json: { type: 'boolean' } });
    const plans = (await payments.listPlans()).map(planView);
    if (v.json) printJson({ object: 'list', data: plans });
    else for (const p of plans) process.stdout.write(`${p.id}\t${p.kind}\t${p.active ? 'on sale' : 'inactive'}\t${JSON.stringify(p)}\n`);
    return;
  }
  if (sub !== 'set') throw new CliError(PLANS_USAGE);
  const v = parse(rest, {
    id: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, currency: { type: 'string' }, 'price-cents': { type: 'string' },
    credits: { type: 'string' }, bonus: { type: 'string' }, 'min-cents': { type: 'string' }, 'max-cents': { type: 'string' },
    'credits-per-cent': { type: 'string' }, inactive: { type: 'boolean' }, json: { type: 'boolean' },
  });
  let plan;
  try {
    plan = planFromFields({
      id: required(v, 'id'), name: optional(v, 'name'), kind: required(v, 'kind'), currency: optional(v, 'currency') ?? config.payments.currency,
      priceCents: cents(v, 'price-cents'), credits: amount(v, 'credits'), bonus: amount(v, 'bonus'), minCents: cents(v, 'min-cents'),
      maxCents: cents(v, 'max-cents'), creditsPerCent: amount(v, 'credits-per-cent'), active: v.inactive !== true,
    });
  } catch (err) {
    if (err instanceof PlanError) throw new CliError(`${err.param ? `${err.param}: ` : ''}${err.message}`);
    throw err;
  }
  const saved = planView(await payments.upsertPlan(plan, Date.now()));
  if (v.json) printJson(saved);
  else process.stdout.write(`plan ${saved.id} saved\n`);
}

export async function checkoutCommand(argv: string[], store: Store, config: Config): Promise<void> {
  const v = parse(argv, {
    account: { type: 'string' }, plan: { type: 'string' }, 'amount-cents': { type: 'string' }, 'save-card': { type: 'boolean' }, json: { type: 'boolean' },
  });
  const accountId = required(v, 'account');
  if (!(await store.getAccount(accountId))) throw new CliError(`no account ${accountId}`);
  const provider = providerFor(config);
  if (!provider) throw new CliError('payments are off: set TOLLGATE_STRIPE_SECRET_KEY and TOLLGATE_STRIPE_WEBHOOK_SECRET');
  const amountCents = cents(v, 'amount-cents');
  let result;
  try {
    result = await startCheckout({ payments: paymentStoreFor(store), provider, config: config.payments, now: Date.now }, accountId, {
      planId: required(v, 'plan'), ...(amountCents !== undefined ? { amountCents } : {}), saveCard: v['save-card'] === true,
    });
  } catch (err) {
    if (err instanceof PlanError || err instanceof UnknownPlanError) throw new CliError(err.message);
    throw err;
  }
  if (v.json) printJson({ id: result.payment.id, object: 'tollgate.checkout', url: result.url, payment: paymentView(result.payment) });
  else process.stdout.write(`${result.url}\n`);
}

export async function rechargeCommand(argv: string[], store: Store): Promise<void> {
  const [sub, ...rest] = argv;
  const payments = paymentStoreFor(store);
  if (sub === 'show') {
    const v = parse(rest, { account: { type: 'string' }, json: { type: 'boolean' } });
    const s = await payments.getRecharge(required(v, 'account'));
    if (!s) throw new CliError('auto-recharge is not set up for this account');
    printJson(rechargeView(s));
    return;
  }
  if (sub !== 'set') throw new CliError(RECHARGE_USAGE);
  const v = parse(rest, {
    account: { type: 'string' }, threshold: { type: 'string' }, amount: { type: 'string' }, target: { type: 'string' },
    'monthly-cap': { type: 'string' }, customer: { type: 'string' }, 'payment-method': { type: 'string' }, off: { type: 'boolean' }, json: { type: 'boolean' },
  });
  const accountId = required(v, 'account');
  if (!(await store.getAccount(accountId))) throw new CliError(`no account ${accountId}`);
  let saved;
  try {
    saved = await payments.putRecharge(checkRecharge({
      accountId, enabled: v.off !== true, threshold: amount(v, 'threshold', true)!, amount: amount(v, 'amount') ?? null,
      target: amount(v, 'target') ?? null, monthlyCap: amount(v, 'monthly-cap', true)!,
      customerId: optional(v, 'customer') ?? null, paymentMethodId: optional(v, 'payment-method') ?? null,
    }), Date.now());
  } catch (err) {
    if (err instanceof RechargeSettingsError) throw new CliError(`--${err.param.replace('_', '-')}: ${err.message}`);
    throw err;
  }
  if (v.json) printJson(rechargeView(saved));
  else process.stdout.write(`auto-recharge ${saved.enabled ? 'on' : 'off'} for ${accountId}\n`);
}

function cents(v: Record<string, string | boolean | undefined>, name: string): number | undefined {
  const text = optional(v, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n <= 0) throw new CliError(`--${name} must be a whole number of cents above zero`);
  return n;
}

function amount(v: Record<string, string | boolean | undefined>, name: string, needed = false): bigint | undefined {
  const text = needed ? required(v, name) : optional(v, name);
  if (text === undefined) return undefined;
  try {
    return parseCredits(text);
  } catch (err) {
    throw new CliError(`--${name}: ${(err as Error).message}`);
  }
}
