// OpenAI's error bodies as the simulator returns them: `{"error":{"message","type","param","code"}}`.

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Thrown by the endpoint handlers; the server renders it once as OpenAI's error JSON. */
export class SimulatedApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;

  constructor(status: number, message: string, opts: { type?: string; param?: string | null; code?: string | null } = {}) {
    super(message);
    this.status = status;
    this.type = opts.type ?? 'invalid_request_error';
    this.param = opts.param ?? null;
    this.code = opts.code ?? null;
  }

  toBody(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export function invalidJson(): SimulatedApiError {
  return new SimulatedApiError(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)");
}

export function invalidUrl(method: string, path: string): SimulatedApiError {
  return new SimulatedApiError(404, `Invalid URL (${method} ${path})`);
}

export function modelNotFound(model: string): SimulatedApiError {
  return new SimulatedApiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, { code: 'model_not_found' });
}

export function missingApiKey(): SimulatedApiError {
  return new SimulatedApiError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.");
}

export function invalidApiKey(given: string): SimulatedApiError {
  const redacted = given.length <= 8 ? '*'.repeat(given.length) : `${given.slice(0, 3)}${'*'.repeat(given.length - 7)}${given.slice(-4)}`;
  return new SimulatedApiError(401, `Incorrect API key provided: ${redacted}. You can find your API key at https://platform.openai.com/account/api-keys.`, { code: 'invalid_api_key' });
}

export function missingParameter(param: string): SimulatedApiError {
  return new SimulatedApiError(400, `Missing required parameter: '${param}'.`, { param, code: 'missing_required_parameter' });
}

export function invalidType(param: string, expected: string, got: unknown): SimulatedApiError {
  return new SimulatedApiError(400, `Invalid type for '${param}': expected ${expected}, but got ${describe(got)} instead.`, { param, code: 'invalid_type' });
}

export function invalidValue(param: string, message: string, code = 'invalid_value'): SimulatedApiError {
  return new SimulatedApiError(400, `Invalid '${param}': ${message}`, { param, code });
}

export function unsupportedParameter(param: string, instead: string): SimulatedApiError {
  return new SimulatedApiError(400, `Unsupported parameter: '${param}' is not supported with this model. Use '${instead}' instead.`, { param, code: 'unsupported_parameter' });
}

export function wrongEndpoint(message: string): SimulatedApiError {
  return new SimulatedApiError(404, message);
}

/** The body a `{ kind: 'status' }` behaviour sends when the test gives none: what OpenAI sends for that status. */
export function defaultErrorBody(status: number): OpenAiErrorBody {
  const [message, type, code] = STATUS_DEFAULTS[status] ?? [
    `Simulated upstream error (HTTP ${status}).`,
    status >= 500 ? 'server_error' : 'invalid_request_error',
    null,
  ];
  return { error: { message, type, param: null, code } };
}

const STATUS_DEFAULTS: Record<number, [string, string, string | null]> = {
  400: ['Simulated bad request.', 'invalid_request_error', null],
  401: ['Incorrect API key provided: sk-*******1234. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key'],
  403: ['You are not allowed to sample from this model', 'invalid_request_error', null],
  404: ['The model `unknown` does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found'],
  408: ['Request timed out.', 'invalid_request_error', null],
  409: ['The request conflicted with another request.', 'invalid_request_error', null],
  429: ['Rate limit reached for requests per min (RPM). Please try again in 1s.', 'requests', 'rate_limit_exceeded'],
  500: ['The server had an error while processing your request. Sorry about that!', 'server_error', null],
  502: ['Bad gateway.', 'server_error', null],
  503: ['The engine is currently overloaded, please try again later', 'server_error', null],
  504: ['Gateway timeout.', 'server_error', null],
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}
