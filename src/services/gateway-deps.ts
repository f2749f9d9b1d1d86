// Everything the request path needs, wired once at start-up (see app.ts and server.ts).
import type { Redis } from 'ioredis';
import type { Config } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/store.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';
import type { ChangeWatcher } from './change-watcher.js';
import type { KeyAuth } from './key-auth.js';
import type { Prices } from './prices.js';
import type { Wallet } from './wallet/wallet.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import type { LimitsResolver } from './rate-limit/limits-resolver.js';
import type { GatewayAlerts } from './alerts/gateway-alerts.js';
import type { Policies } from './policies/policies.js';
import type { ResponseCache } from './cache/response-cache.js';
import type { GatewayPayments } from './payments/gateway-payments.js';

export interface GatewayDeps {
  config: Config;
  store: Store;
  wallet: Wallet;
  prices: Prices;
  keys: KeyAuth;
  watcher: ChangeWatcher;
  upstream: UpstreamClient;
  logger: Logger;
  now: () => number;
  limiter: RateLimiter;
  limits: LimitsResolver;
  alerts: GatewayAlerts;
  /** Request policies (allowed models, output and prompt caps, substitutions) per account, project and key. */
  policies: Policies;
  payments: GatewayPayments;
  /** Shared state across replicas (rate limits, cache); absent on a single replica without REDIS_URL. */
  redis: Redis | undefined;
  /** The response cache (settings and backend); absent in deps built without it, which then never cache. */
  cache?: ResponseCache;
}
