// The one configuration schema: environment variables (or the same names in a JSON config file) -> typed Config.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const intFrom = (def: number, min = 0) =>
  z.union([z.string(), z.number()]).optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isInteger(n) || n < min) {
        ctx.addIssue({ code: 'custom', message: `must be an integer >= ${min}` });
        return z.NEVER;
      }
      return n;
    });

const schema = z.object({
  TOLLGATE_PORT: intFrom(8080),
  TOLLGATE_HOST: z.string().default('127.0.0.1'),
  TOLLGATE_DB: z.string().default('./data/tollgate.db'),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
  OPENAI_BASE_URL: z.string().url().default('https://api.openai.com/v1'),
  OPENAI_API_KEY: z.string().optional(),
  TOLLGATE_ADMIN_TOKEN: z.string().optional(),
  TOLLGATE_SIGNUP_MODE: z.enum(['open', 'invite', 'operator']).default('operator'),
  TOLLGATE_COOKIE_SECURE: z.enum(['auto', 'always']).default('auto'),
  TOLLGATE_SIGNUP_CREDITS: z.string().default('5'),
  TOLLGATE_SIGNUP_EXPIRY_DAYS: intFrom(90, 1),
  TOLLGATE_MAX_BODY_BYTES: intFrom(32 * 1024 * 1024, 1024),
  TOLLGATE_UPSTREAM_TIMEOUT_MS: intFrom(600_000, 1),
  TOLLGATE_UPSTREAM_CONNECTIONS: intFrom(256, 1),
  TOLLGATE_DEFAULT_MAX_OUTPUT_TOKENS: intFrom(16_384, 1),
  TOLLGATE_SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  TOLLGATE_REPLICA_ID: z.string().optional(),
  TOLLGATE_REPLICA_TIMEOUT_MS: intFrom(30_000, 100),
  TOLLGATE_PG_POOL_MAX: intFrom(20, 1),
  TOLLGATE_PG_CONNECT_TIMEOUT_MS: intFrom(3_000, 1),
  TOLLGATE_SMTP_URL: z.string().optional(),
  TOLLGATE_ALERT_FROM: z.string().optional(),
  TOLLGATE_SHUTDOWN_GRACE_MS: intFrom(30_000, 0),
  TOLLGATE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  TOLLGATE_CONFIG: z.string().optional(),
  TOLLGATE_CACHE_MAX_BYTES: intFrom(64 * 1024 * 1024, 0),
  TOLLGATE_CACHE_HIT_PERCENT: intFrom(0, 0).refine((n) => n <= 100, 'must be at most 100'),
  TOLLGATE_STRIPE_SECRET_KEY: z.string().optional(),
  TOLLGATE_STRIPE_WEBHOOK_SECRET: z.string().optional(),
  TOLLGATE_STRIPE_API_BASE: z.string().url().optional(),
  TOLLGATE_STRIPE_WEBHOOK_TOLERANCE_S: intFrom(300, 1),
  TOLLGATE_CHECKOUT_SUCCESS_URL: z.string().url().default('http://127.0.0.1:8080/?checkout=success'),
  TOLLGATE_CHECKOUT_CANCEL_URL: z.string().url().default('http://127.0.0.1:8080/?checkout=cancel'),
  TOLLGATE_PURCHASE_EXPIRY_DAYS: intFrom(365, 1),
  TOLLGATE_PAYMENT_CURRENCY: z.string().regex(/^[a-z]{3}$/).default('usd'),
  TOLLGATE_RECHARGE_MAX_FAILURES: intFrom(3, 1),
  TOLLGATE_MAX_FILE_BYTES: intFrom(200 * 1024 * 1024, 1024),
  TOLLGATE_BATCH_POLL_MS: intFrom(60_000, 10),
});

export interface Config {
  port: number;
  host: string;
  sqlitePath: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  upstreamBaseUrl: string;
  upstreamApiKey: string | undefined;
  adminToken: string | undefined;
  /** Dashboard sign-up: `open` (anyone creates an account), `invite` (with an operator's invitation) or `operator` (CLI only). */
  signupMode: 'open' | 'invite' | 'operator';
  /** Session cookie `Secure` flag: `auto` (when the request came over https, or x-forwarded-proto says so) or `always`. */
  cookieSecure: 'auto' | 'always';
  signupCredits: string;
  signupExpiryDays: number;
  maxBodyBytes: number;
  upstreamTimeoutMs: number;
  upstreamConnections: number;
  defaultMaxOutputTokens: number;
  sqliteSynchronous: 'NORMAL' | 'FULL';
  replicaId: string | undefined;
  replicaTimeoutMs: number;
  pgPoolMax: number;
  pgConnectTimeoutMs: number;
  shutdownGraceMs: number;
  smtpUrl: string | undefined;
  alertFrom: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Byte bound of the in-process response cache (unused with REDIS_URL). */
  cacheMaxBytes: number;
  /** What a cache hit costs, as a whole percentage of the cached answer's full price (0 = free). */
  cacheHitPercent: number;
  /** Largest file upload (Files API), and largest batch input file read to plan a batch. */
  maxFileBytes: number;
  /** How often unsettled batches are polled upstream. */
  batchPollMs: number;
  payments: PaymentsConfig;
}

export interface PaymentsConfig {
  stripeSecretKey: string | undefined;
  stripeWebhookSecret: string | undefined;
  stripeApiBase: string | undefined;
  webhookToleranceSeconds: number;
  successUrl: string;
  cancelUrl: string;
  purchaseExpiryDays: number;
  currency: string;
  rechargeMaxFailures: number;
}

export class ConfigError extends Error {}

/** Reads the config file named by TOLLGATE_CONFIG (JSON, same keys), then lets the environment override it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<string, string>> = {}): Config {
  let fromFile: Record<string, unknown> = {};
  const file = overrides.TOLLGATE_CONFIG ?? env.TOLLGATE_CONFIG;
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
  }
  const merged: Record<string, unknown> = { ...fromFile };
  for (const key of Object.keys(schema.shape)) {
    const value = overrides[key] ?? env[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const c = parsed.data;
  return {
    port: c.TOLLGATE_PORT,
    host: c.TOLLGATE_HOST,
    sqlitePath: c.TOLLGATE_DB,
    databaseUrl: c.DATABASE_URL,
    redisUrl: c.REDIS_URL,
    upstreamBaseUrl: c.OPENAI_BASE_URL.replace(/\/+$/, ''),
    upstreamApiKey: c.OPENAI_API_KEY,
    adminToken: c.TOLLGATE_ADMIN_TOKEN,
    signupMode: c.TOLLGATE_SIGNUP_MODE,
    cookieSecure: c.TOLLGATE_COOKIE_SECURE,
    signupCredits: c.TOLLGATE_SIGNUP_CREDITS,
    signupExpiryDays: c.TOLLGATE_SIGNUP_EXPIRY_DAYS,
    maxBodyBytes: c.TOLLGATE_MAX_BODY_BYTES,
    upstreamTimeoutMs: c.TOLLGATE_UPSTREAM_TIMEOUT_MS,
    upstreamConnections: c.TOLLGATE_UPSTREAM_CONNECTIONS,
    defaultMaxOutputTokens: c.TOLLGATE_DEFAULT_MAX_OUTPUT_TOKENS,
    sqliteSynchronous: c.TOLLGATE_SQLITE_SYNCHRONOUS,
    replicaId: c.TOLLGATE_REPLICA_ID,
    replicaTimeoutMs: c.TOLLGATE_REPLICA_TIMEOUT_MS,
    pgPoolMax: c.TOLLGATE_PG_POOL_MAX,
    pgConnectTimeoutMs: c.TOLLGATE_PG_CONNECT_TIMEOUT_MS,
    shutdownGraceMs: c.TOLLGATE_SHUTDOWN_GRACE_MS,
    smtpUrl: c.TOLLGATE_SMTP_URL,
    alertFrom: c.TOLLGATE_ALERT_FROM,
    logLevel: c.TOLLGATE_LOG_LEVEL,
    cacheMaxBytes: c.TOLLGATE_CACHE_MAX_BYTES,
    cacheHitPercent: c.TOLLGATE_CACHE_HIT_PERCENT,
    payments: {
      stripeSecretKey: c.TOLLGATE_STRIPE_SECRET_KEY,
      stripeWebhookSecret: c.TOLLGATE_STRIPE_WEBHOOK_SECRET,
      stripeApiBase: c.TOLLGATE_STRIPE_API_BASE,
      webhookToleranceSeconds: c.TOLLGATE_STRIPE_WEBHOOK_TOLERANCE_S,
      successUrl: c.TOLLGATE_CHECKOUT_SUCCESS_URL,
      cancelUrl: c.TOLLGATE_CHECKOUT_CANCEL_URL,
      purchaseExpiryDays: c.TOLLGATE_PURCHASE_EXPIRY_DAYS,
      currency: c.TOLLGATE_PAYMENT_CURRENCY,
      rechargeMaxFailures: c.TOLLGATE_RECHARGE_MAX_FAILURES,
    },
    maxFileBytes: c.TOLLGATE_MAX_FILE_BYTES,
    batchPollMs: c.TOLLGATE_BATCH_POLL_MS,
  };
}
