// One error hierarchy for the OpenAI surface: throw these anywhere; they are rendered once, in OpenAI's exact shape.

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, opts: { type?: string; code?: string | null; param?: string | null; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.type = opts.type ?? 'invalid_request_error';
    this.code = opts.code ?? null;
    this.param = opts.param ?? null;
    this.headers = opts.headers ?? {};
  }

  toBody(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export class InvalidRequestError extends ApiError {
  constructor(message: string, param: string | null = null, code: string | null = null) {
    super(400, message, { param, code });
  }
}

export class InvalidJsonError extends ApiError {
  constructor() {
    super(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)");
  }
}

export class MissingApiKeyError extends ApiError {
  constructor() {
    super(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
  }
}

export class InvalidApiKeyError extends ApiError {
  constructor(redacted: string) {
    super(401, `Incorrect API key provided: ${redacted}. You can find your API keys in your Tollgate dashboard or ask your operator.`, { code: 'invalid_api_key' });
  }
}

export class PermissionDeniedError extends ApiError {
  constructor(message: string) {
    super(403, message, { code: 'insufficient_permissions' });
  }
}

export class RouteNotFoundError extends ApiError {
  constructor(method: string, path: string) {
    super(404, `Invalid URL (${method} ${path})`);
  }
}

export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(404, message, { code: 'not_found' });
  }
}

export class ModelNotFoundError extends ApiError {
  constructor(model: string, reason = 'does not exist or you do not have access to it') {
    super(404, `The model \`${model}\` ${reason}.`, { code: 'model_not_found', param: 'model' });
  }
}

export class MethodNotAllowedError extends ApiError {
  constructor(method: string, path: string) {
    super(405, `Method Not Allowed (${method} ${path})`);
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(limit: number) {
    super(413, `Request body too large: the limit is ${limit} bytes.`, { code: 'request_too_large' });
  }
}

/** Out of credits. `x-should-retry: false` stops the official SDKs from retrying a request that cannot succeed. */
export class InsufficientQuotaError extends ApiError {
  constructor(detail: string) {
    super(429, `You exceeded your current quota, please check your plan and billing details. ${detail}`, {
      type: 'insufficient_quota',
      code: 'insufficient_quota',
      headers: { 'x-should-retry': 'false' },
    });
  }
}

export class UpstreamUnavailableError extends ApiError {
  constructor(message = 'Bad gateway: the upstream API could not be reached. No credits were charged.') {
    super(502, message, { type: 'server_error', code: 'upstream_unavailable' });
  }
}

export class UpstreamTimeoutError extends ApiError {
  constructor() {
    super(504, 'Gateway timeout: the upstream API did not answer in time. No credits were charged.', { type: 'server_error', code: 'upstream_timeout' });
  }
}

export class ServiceUnavailableError extends ApiError {
  constructor(message: string) {
    super(503, message, { type: 'server_error', code: 'service_unavailable' });
  }
}

export class InternalError extends ApiError {
  constructor() {
    super(500, 'The server had an error while processing your request. No credits were charged for it.', { type: 'server_error' });
  }
}

/** Shows the start and end of a secret only, as OpenAI does in its invalid-key message. */
export function redactSecret(secret: string): string {
  if (secret.length <= 8) return '*'.repeat(secret.length);
  return `${secret.slice(0, 6)}${'*'.repeat(Math.min(20, secret.length - 10))}${secret.slice(-4)}`;
}

/**
 * A rate limit (RPM, TPM or RPD) was reached: OpenAI's 429 `rate_limit_exceeded`, typed `requests` or `tokens`,
 * with `retry-after` (whole seconds, rounded up) and `retry-after-ms`, which the official SDKs wait for before
 * retrying. `retryAfterMs: null` means the request can never fit (its tokens exceed the TPM limit): no retry
 * headers, and `x-should-retry: false` so clients do not retry in vain. `headers` carries the x-ratelimit-* set.
 */
export class RateLimitExceededError extends ApiError {
  readonly retryAfterMs: number | null;

  constructor(message: string, opts: { type: 'requests' | 'tokens'; retryAfterMs: number | null; headers?: Record<string, string> }) {
    const retry: Record<string, string> = opts.retryAfterMs === null
      ? { 'x-should-retry': 'false' }
      : {
        'retry-after': String(Math.max(1, Math.ceil(opts.retryAfterMs / 1000))),
        'retry-after-ms': String(Math.max(1, Math.ceil(opts.retryAfterMs))),
      };
    super(429, message, { type: opts.type, code: 'rate_limit_exceeded', headers: { ...opts.headers, ...retry } });
    this.retryAfterMs = opts.retryAfterMs;
  }
}
