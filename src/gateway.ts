// Wires the gateway from a Config: store, wallet (crash recovery first), prices, keys, upstream, HTTP server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/config.js';
import { createApp } from './app.js';
import { builtinPrices } from './domain/pricing/catalog.js';
import { preloadTokenizer } from './domain/metering/tokenizer.js';
import { createLogger, type Logger } from './observability/logger.js';
import { ChangeWatcher } from './services/change-watcher.js';
import type { GatewayDeps } from './services/gateway-deps.js';
import { KeyAuth } from './services/key-auth.js';
import { Prices } from './services/prices.js';
import type { RecoveryReport } from './services/wallet/wallet.js';
import { openStore } from './store/open-store.js';
import { openWallet } from './services/wallet/open-wallet.js';
import { connectRedis } from './store/redis/redis.js';
import { createRateLimiter } from './services/rate-limit/create-rate-limiter.js';
import { LimitsResolver } from './services/rate-limit/limits-resolver.js';
import { loadTierLadder } from './services/rate-limit/load-tier-ladder.js';
import { startAlerts } from './services/alerts/gateway-alerts.js';
import { Policies, policyStoreFor } from './services/policies/policies.js';
import { resumeRedemptions } from './services/redemption/gateway-redemption.js';
import { startPayments } from './services/payments/gateway-payments.js';
import { UpstreamClient } from './upstream/upstream-client.js';
import { createResponseCache } from './services/cache/response-cache.js';
import { startBatchPoller } from './services/batches/batch-poller.js';

export interface RunningGateway {
  server: Server;
  url: string;
  deps: GatewayDeps;
  recovery: RecoveryReport;
  close(): Promise<void>;
}

const EXPIRY_SWEEP_MS = 60_000;
const DRAIN_POLL_MS = 50;

export async function startGateway(
  config: Config, opts: { logger?: Logger; now?: () => number; listen?: boolean } = {},
): Promise<RunningGateway> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  // Loading an encoder takes ~250 ms: do it before the first request, not during it.
  preloadTokenizer('gpt-4o');
  preloadTokenizer('gpt-3.5-turbo');
  const now = opts.now ?? Date.now;
  const store = await openStore(config);
  await store.insertPrices(builtinPrices(), 'builtin', now());
  const { wallet, recovery } = await openWallet(store, config, now, logger);
  if (recovery.released > 0) logger.warn('released holds left open by an earlier stop', { holds: recovery.released });
  await wallet.expire();
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, logger) : undefined;

  const prices = new Prices(store);
  await prices.reload();
  const keys = new KeyAuth(store);
  const watcher = new ChangeWatcher(store);
  watcher.onChange(async () => {
    wallet.invalidate();
    keys.invalidate();
    await prices.reload();
  });
  await watcher.check();
  const upstream = new UpstreamClient({
    baseUrl: config.upstreamBaseUrl, apiKey: config.upstreamApiKey,
    connections: config.upstreamConnections, timeoutMs: config.upstreamTimeoutMs,
  });
  const limiter = createRateLimiter(redis);
  const limits = new LimitsResolver(store, loadTierLadder());
  watcher.onChange(() => limits.invalidate());
  const alerts = startAlerts(store, wallet, config, now, logger);
  const policies = new Policies(policyStoreFor(store));
  watcher.onChange(() => policies.invalidate());
  const cache = createResponseCache(store, config, redis, now, logger);
  await cache.reload();
  watcher.onChange(() => cache.reload());
  const payments = startPayments(store, wallet, config, now, logger, alerts, watcher);
  const deps: GatewayDeps = { config, store, wallet, prices, keys, watcher, upstream, logger, now, redis, limiter, limits, alerts, policies, cache, payments };
  await resumeRedemptions(deps).catch((err: Error) => logger.error('resuming interrupted redemptions failed', { error: err.message }));
  const batchPoller = await startBatchPoller(deps);
  const app = createApp(deps);
  const server = createServer({ keepAliveTimeout: 65_000 }, app.listener);
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });
  const sweeper = setInterval(() => {
    wallet.expire().catch((err: Error) => logger.error('grant expiry sweep failed', { error: err.message }));
  }, EXPIRY_SWEEP_MS);
  sweeper.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${config.host}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(sweeper);
      await new Promise<void>((resolve) => {
        // A request still running keeps its connection until its response is done; close that connection as soon
        // as it goes idle, or a keep-alive client would hold the shutdown open for up to keepAliveTimeout.
        const idle = setInterval(() => server.closeIdleConnections(), DRAIN_POLL_MS);
        server.close(() => {
          clearInterval(idle);
          resolve();
        });
        server.closeIdleConnections();
      });
      await payments.close();
      await alerts.close();
      await batchPoller.close();
      await wallet.close();
      await upstream.close();
      await store.close();
      redis?.disconnect();
    })();
    return closing;
  };
  return { server, url, deps, recovery, close };
}
