// The simulated OpenAI upstream: for `tollgate demo`, the test suite and the bench. Never started unless asked for.
export { startSimulator, REQUEST_LOG_LIMIT, SLOW_STREAM_DEFAULT_CHUNKS } from './server.js';
export type {
  Behaviour, RequestOutcome, SimulatedRequest, SimulatedUpstream, SimulatorOptions, UsageOverride,
} from './types.js';
export { listModels, findModel, type SimulatedModel, type ModelFamily, type EncodingName } from './models.js';
export { REPLY_TOKENS, TOKENS_PER_CHUNK, replyText } from './reply.js';
export { REASONING_TOKENS, CACHE_MIN_TOKENS, CACHE_STEP_TOKENS, cachedTokensFor } from './usage.js';
export { LEGACY_DEFAULT_MAX_TOKENS } from './completions.js';
export { FAST_TEXT, FAST_CHUNKS, FAST_USAGE } from './fast.js';
