// Rules on the wire and in storage (snake_case JSON, credits as exact decimal strings) <-> rules in code.
// Every rule that enters Tollgate is parsed here, so a stored rule is always a valid one.
import { z } from 'zod';
import { decimalToScaledBigint, DecimalError, scaledBigintToDecimal } from '../money/decimal.js';
import { formatCredits, MoneyFormatError, parseCredits } from '../money/pico.js';
import { ALERT_KINDS, type AlertChannel, type AlertDefinition, type AlertKind } from './rule.js';

/** Thrown for a rule or channel that is malformed; the message says which field and why. */
export class AlertRuleError extends Error {
  override readonly name = 'AlertRuleError';
}

export const MAX_CHANNELS = 5;
export const MAX_RECIPIENTS = 20;
export const MIN_SECRET_LENGTH = 16;

const credits = z.string().transform((text, ctx) => {
  try {
    return parseCredits(text);
  } catch (err) {
    if (!(err instanceof MoneyFormatError)) throw err;
    ctx.addIssue({ code: 'custom', message: err.message });
    return z.NEVER;
  }
});

/** "3", "2.5", 2.5 -> thousandths (3000n, 2500n); finer than 0.001 is refused. */
const factor = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return decimalToScaledBigint(typeof v === 'number' ? String(v) : v, 3);
  } catch (err) {
    if (!(err instanceof DecimalError)) throw err;
    ctx.addIssue({ code: 'custom', message: 'must be a decimal with at most 3 decimals, e.g. "3" or "2.5"' });
    return z.NEVER;
  }
}).refine((f) => f >= 1000n && f <= 1_000_000n, 'must be between 1 and 1000');

const lowBalance = z.strictObject({ threshold: credits, rearm_at: credits.nullish() })
  .refine((p) => p.threshold > 0n, { message: 'must be above 0', path: ['threshold'] })
  .refine((p) => p.rearm_at == null || p.rearm_at >= p.threshold, { message: 'must be at least threshold', path: ['rearm_at'] });
const budgetThreshold = z.strictObject({
  budget_id: z.string().min(1).max(200).nullish(),
  percents: z.array(z.number().int().min(1).max(1000)).min(1).max(20).nullish(),
});
const grantExpiring = z.strictObject({ within_days: z.number().int().min(1).max(3650) });
const spendSpike = z.strictObject({ factor, min_amount: credits });
const runsOutSoon = z.strictObject({ within_days: z.number().int().min(1).max(3650) });
const spendThreshold = z.strictObject({ threshold: credits }).refine((p) => p.threshold > 0n, { message: 'must be above 0', path: ['threshold'] });

const EMAIL = /^[^\s@<>(),;:"\\]+@[^\s@<>(),;:"\\]+\.[^\s@<>(),;:"\\]+$/;
const httpUrl = z.string().max(2000).refine((u) => {
  try {
    const url = new URL(u);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}, 'must be an http(s) URL without credentials');
const webhook = z.strictObject({
  type: z.literal('webhook'),
  url: httpUrl,
  secret: z.string().min(MIN_SECRET_LENGTH).max(200).optional(),
});
const email = z.strictObject({
  type: z.literal('email'),
  recipients: z.array(z.string().max(320).regex(EMAIL, 'must be an email address')).min(1).max(MAX_RECIPIENTS),
  subject_prefix: z.string().max(100).regex(/^[^\r\n]*$/, 'must be one line').nullish(),
});
const channels = z.array(z.discriminatedUnion('type', [webhook, email])).max(MAX_CHANNELS);

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [what, ...(issue?.path ?? [])].join('.');
  throw new AlertRuleError(`${path}: ${issue?.message ?? 'invalid'}`);
}

export function parseAlertKind(input: unknown): AlertKind {
  if (typeof input === 'string' && (ALERT_KINDS as readonly string[]).includes(input)) return input as AlertKind;
  throw new AlertRuleError(`kind: must be one of ${ALERT_KINDS.join(', ')}`);
}

/** Parses a rule's kind and params from their wire form. */
export function parseDefinition(kind: unknown, params: unknown): AlertDefinition {
  const k = parseAlertKind(kind);
  switch (k) {
    case 'low_balance': {
      const p = parse(lowBalance, params, 'params');
      return { kind: k, params: { threshold: p.threshold, rearmAt: p.rearm_at ?? null } };
    }
    case 'budget_threshold': {
      const p = parse(budgetThreshold, params, 'params');
      return { kind: k, params: { budgetId: p.budget_id ?? null, percents: p.percents ?? null } };
    }
    case 'grant_expiring':
      return { kind: k, params: { withinDays: parse(grantExpiring, params, 'params').within_days } };
    case 'spend_spike': {
      const p = parse(spendSpike, params, 'params');
      return { kind: k, params: { factorMilli: p.factor, minAmount: p.min_amount } };
    }
    case 'spend_threshold':
      return { kind: k, params: { threshold: parse(spendThreshold, params, 'params').threshold } };
    case 'runs_out_soon':
      return { kind: k, params: { withinDays: parse(runsOutSoon, params, 'params').within_days } };
  }
}

export type WireParams = Record<string, string | number | number[] | null>;

export function definitionToWire(def: AlertDefinition): { kind: AlertKind; params: WireParams } {
  switch (def.kind) {
    case 'low_balance':
      return {
        kind: def.kind,
        params: {
          threshold: formatCredits(def.params.threshold),
          rearm_at: def.params.rearmAt === null ? null : formatCredits(def.params.rearmAt),
        },
      };
    case 'budget_threshold':
      return { kind: def.kind, params: { budget_id: def.params.budgetId, percents: def.params.percents } };
    case 'grant_expiring':
      return { kind: def.kind, params: { within_days: def.params.withinDays } };
    case 'spend_spike':
      return {
        kind: def.kind,
        params: { factor: scaledBigintToDecimal(def.params.factorMilli, 3), min_amount: formatCredits(def.params.minAmount) },
      };
    case 'spend_threshold':
      return { kind: def.kind, params: { threshold: formatCredits(def.params.threshold) } };
    case 'runs_out_soon':
      return { kind: def.kind, params: { within_days: def.params.withinDays } };
  }
}

/**
 * Parses channels from their wire form. A webhook without a secret gets one from `newSecret` (omit it to require
 * secrets, as when reading storage).
 */
export function parseChannels(input: unknown, opts: { newSecret?: () => string } = {}): AlertChannel[] {
  return parse(channels, input, 'channels').map((c, i): AlertChannel => {
    if (c.type === 'email') {
      return { type: 'email', recipients: c.recipients, subjectPrefix: c.subject_prefix ?? null };
    }
    const secret = c.secret ?? opts.newSecret?.();
    if (secret === undefined) throw new AlertRuleError(`channels.${i}.secret: required`);
    return { type: 'webhook', url: c.url, secret };
  });
}

export type WireChannel =
  | { type: 'webhook'; url: string; secret?: string }
  | { type: 'email'; recipients: string[]; subject_prefix: string | null };

/** Channels in wire form; webhook secrets are left out unless `revealSecrets` (storage, or showing a new rule once). */
export function channelsToWire(list: readonly AlertChannel[], opts: { revealSecrets: boolean }): WireChannel[] {
  return list.map((c) => {
    if (c.type === 'email') return { type: 'email', recipients: [...c.recipients], subject_prefix: c.subjectPrefix };
    return opts.revealSecrets ? { type: 'webhook', url: c.url, secret: c.secret } : { type: 'webhook', url: c.url };
  });
}
