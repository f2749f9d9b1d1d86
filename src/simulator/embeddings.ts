// POST /v1/embeddings: deterministic unit vectors (float arrays or base64 float32), one per input.
import { createHash } from 'node:crypto';
import type { Answer, CallContext } from './answer.js';
import { invalidType, invalidValue, missingParameter } from './errors.js';
import { optionalInteger, readModel, type Fields } from './request-fields.js';
import { countText } from './tokens.js';

const MAX_DIMENSIONS: Record<string, number> = { 'text-embedding-3-small': 1536, 'text-embedding-3-large': 3072 };

export function createEmbeddings(f: Fields, ctx: CallContext): Answer {
  const model = readModel(f, 'embeddings');
  const inputs = readInputs(f, model.id);
  const dimensions = optionalInteger(f, 'dimensions', 1, MAX_DIMENSIONS[model.id]) ?? model.defaultDimensions ?? 8;
  const format = f['encoding_format'] ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    throw invalidValue('encoding_format', `'${String(format)}' is not one of ['float', 'base64'].`);
  }
  const promptTokens = ctx.usage?.promptTokens ?? inputs.reduce((sum, i) => sum + i.tokens, 0);
  return {
    kind: 'json',
    status: 200,
    body: {
      object: 'list',
      data: inputs.map((input, index) => {
        const vector = embeddingVector(model.id, input.key, dimensions);
        return { object: 'embedding', index, embedding: format === 'base64' ? toBase64(vector) : Array.from(vector) };
      }),
      model: model.id,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    },
  };
}

/** A unit-length vector derived only from the model and the input (float32 precision, as OpenAI sends). */
export function embeddingVector(modelId: string, inputKey: string, dimensions: number): Float32Array {
  const raw = new Float64Array(dimensions);
  let norm = 0;
  for (let block = 0; block * 8 < dimensions; block++) {
    const digest = createHash('sha256').update(`${modelId}\0${inputKey}\0${block}`).digest();
    for (let j = 0; j < 8 && block * 8 + j < dimensions; j++) {
      const v = digest.readUInt32LE(j * 4) / 0xffffffff * 2 - 1;
      raw[block * 8 + j] = v;
      norm += v * v;
    }
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return Float32Array.from(raw, (v) => v * scale);
}

function toBase64(vector: Float32Array): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString('base64');
}

interface EmbeddingInput {
  key: string;
  tokens: number;
}

/** `input`: a string, strings, a token array or token arrays; never empty. */
function readInputs(f: Fields, modelId: string): EmbeddingInput[] {
  const raw = f['input'];
  if (raw === undefined || raw === null) throw missingParameter('input');
  const one = (v: unknown): EmbeddingInput => {
    if (typeof v === 'string') {
      if (v.length === 0) throw invalidValue('input', "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.");
      return { key: v, tokens: countText(modelId, v) };
    }
    if (Array.isArray(v) && v.length > 0 && v.every((t) => Number.isInteger(t))) return { key: JSON.stringify(v), tokens: v.length };
    throw invalidType('input', 'a string or an array', v);
  };
  if (Array.isArray(raw) && raw.length > 0 && raw.every((t) => typeof t === 'number')) return [one(raw)];
  if (Array.isArray(raw)) {
    if (raw.length === 0) throw invalidValue('input', "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.");
    return raw.map(one);
  }
  return [one(raw)];
}
