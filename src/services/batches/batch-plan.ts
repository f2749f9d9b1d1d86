// Plans a batch from its input file: every JSONL line planned by the hot path's own planRequest (validation, prompt
// tokens, output cap), then priced at batch prices. The sum is what the batch holds.
import type { Endpoint } from '../../domain/metering/endpoint.js';
import type { Pico } from '../../domain/money/pico.js';
import { holdAmount } from '../../domain/pricing/cost.js';
import { batchPrice } from '../../domain/pricing/batch-price.js';
import type { Price } from '../../domain/pricing/price.js';
import { ApiError, InvalidRequestError } from '../../http/errors.js';
import type { Prices } from '../prices.js';
import { planRequest } from '../request-plan.js';

/** The Batch API's endpoints and the metered endpoint each one is. */
export const BATCH_ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  '/v1/chat/completions': 'chat.completions',
  '/v1/responses': 'responses',
  '/v1/completions': 'completions',
  '/v1/embeddings': 'embeddings',
};

export interface BatchPlan {
  endpoint: Endpoint;
  model: string;
  /** The standard price row the batch is charged from (halved for the batch). */
  price: Price;
  lines: number;
  promptTokens: number;
  maxOutputTokens: number;
  hold: Pico;
}

/** Parses and plans `input`; a bad line is a 400 naming its line number, before any credit moves. */
export function planBatch(endpointPath: string, input: Buffer, prices: Prices, now: number, defaultMaxOutput: number): BatchPlan {
  const endpoint = BATCH_ENDPOINTS[endpointPath];
  if (endpoint === undefined) {
    throw new InvalidRequestError(`Invalid value for 'endpoint': ${JSON.stringify(endpointPath)}. Supported values are: ${Object.keys(BATCH_ENDPOINTS).map((e) => `'${e}'`).join(', ')}.`, 'endpoint', 'invalid_value');
  }
  const text = input.toString('utf8');
  let model: string | undefined;
  let price: Price | undefined;
  let lines = 0;
  let promptTokens = 0;
  let maxOutputTokens = 0;
  let hold = 0n;
  const customIds = new Set<string>();
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const n = index + 1;
    const request = parseLine(line, n);
    if (request.url !== endpointPath) lineError(n, `its url ${JSON.stringify(request.url)} is not the batch's endpoint ${endpointPath}`);
    if (typeof request.custom_id !== 'string' || request.custom_id === '') lineError(n, "it has no 'custom_id'");
    if (customIds.has(request.custom_id)) lineError(n, `its custom_id ${JSON.stringify(request.custom_id)} is used twice`);
    customIds.add(request.custom_id);
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) lineError(n, "its 'body' is not an object");
    const fields = body as Record<string, unknown>;
    if (fields.stream === true) lineError(n, 'a batch request cannot be streamed');
    let plan;
    try {
      plan = planRequest(endpoint, fields, Buffer.alloc(0), prices, now, defaultMaxOutput);
    } catch (err) {
      if (err instanceof ApiError) lineError(n, err.message);
      throw err;
    }
    if (model !== undefined && plan.model !== model) lineError(n, `its model ${plan.model} differs from ${model}: a batch uses one model`);
    model = plan.model;
    price = plan.price;
    lines++;
    promptTokens += plan.promptTokens;
    maxOutputTokens += plan.maxOutputTokens;
    hold += holdAmount(plan.promptTokens, plan.maxOutputTokens, batchPrice(plan.price));
  });
  if (model === undefined || price === undefined) throw new InvalidRequestError('The batch input file has no requests.', 'input_file_id');
  return { endpoint, model, price, lines, promptTokens, maxOutputTokens, hold };
}

interface BatchLine {
  custom_id: string;
  method: unknown;
  url: unknown;
  body: unknown;
}

function parseLine(line: string, n: number): BatchLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    lineError(n, 'it is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) lineError(n, 'it is not a JSON object');
  const request = value as BatchLine;
  if (request.method !== 'POST') lineError(n, "its 'method' must be POST");
  return request;
}

function lineError(n: number, why: string): never {
  throw new InvalidRequestError(`Invalid batch input file: line ${n}: ${why}.`, 'input_file_id', 'invalid_batch_input');
}
