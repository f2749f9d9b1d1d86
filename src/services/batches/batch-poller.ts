// Polls unsettled batches upstream every TOLLGATE_BATCH_POLL_MS and settles the ones that ended; at start it first
// re-holds batches whose holds the crash recovery released.
import type { Logger } from '../../observability/logger.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { batchesFor } from './batches.js';

/** Unsettled batches looked at per pass (oldest first); the rest wait for the next pass or a client's retrieve. */
const PAGE = 10_000;

export interface BatchPoller {
  /** One pass over the unsettled batches (tests call it instead of waiting for the timer). */
  pollOnce(): Promise<void>;
  close(): Promise<void>;
}

/** Re-holds pending batches (awaited, before the gateway serves), then starts the timer. */
export async function startBatchPoller(deps: GatewayDeps): Promise<BatchPoller> {
  const batches = batchesFor(deps);
  await batches.resume();
  let running: Promise<void> | undefined;
  const pollOnce = () => {
    running ??= batches.poll(PAGE).catch((err: Error) => logFailure(deps.logger, err)).finally(() => { running = undefined; });
    return running;
  };
  const timer = setInterval(() => void pollOnce(), deps.config.batchPollMs);
  timer.unref();
  return {
    pollOnce,
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}

function logFailure(logger: Logger, err: Error): void {
  logger.error('batch poll failed; will retry on the next poll', { error: err.message });
}
