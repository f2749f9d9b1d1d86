// The fixed model catalogue the simulator serves: which endpoint family each model belongs to, its tokenizer,
// and whether it reports reasoning tokens.

export type ModelFamily = 'chat' | 'instruct' | 'embedding';
export type EncodingName = 'o200k_base' | 'cl100k_base';

export interface SimulatedModel {
  id: string;
  family: ModelFamily;
  encoding: EncodingName;
  /** Reasoning models report `reasoning_tokens` inside the output tokens. */
  reasoning: boolean;
  /** Unix seconds, as `GET /v1/models` shows it. */
  created: number;
  /** Embedding models only: the vector length when the request names no `dimensions`. */
  defaultDimensions?: number;
}

const MODELS: readonly SimulatedModel[] = [
  { id: 'gpt-4o', family: 'chat', encoding: 'o200k_base', reasoning: false, created: 1715367049 },
  { id: 'gpt-4o-mini', family: 'chat', encoding: 'o200k_base', reasoning: false, created: 1721172741 },
  { id: 'gpt-4.1', family: 'chat', encoding: 'o200k_base', reasoning: false, created: 1744316542 },
  { id: 'gpt-4.1-mini', family: 'chat', encoding: 'o200k_base', reasoning: false, created: 1744318173 },
  { id: 'gpt-5', family: 'chat', encoding: 'o200k_base', reasoning: true, created: 1754425777 },
  { id: 'gpt-5-mini', family: 'chat', encoding: 'o200k_base', reasoning: true, created: 1754425928 },
  { id: 'o3', family: 'chat', encoding: 'o200k_base', reasoning: true, created: 1744225308 },
  { id: 'o4-mini', family: 'chat', encoding: 'o200k_base', reasoning: true, created: 1744225351 },
  { id: 'gpt-3.5-turbo-instruct', family: 'instruct', encoding: 'cl100k_base', reasoning: false, created: 1692901427 },
  { id: 'text-embedding-3-small', family: 'embedding', encoding: 'cl100k_base', reasoning: false, created: 1705948997, defaultDimensions: 8 },
  { id: 'text-embedding-3-large', family: 'embedding', encoding: 'cl100k_base', reasoning: false, created: 1705953180, defaultDimensions: 8 },
];

const BY_ID = new Map(MODELS.map((m) => [m.id, m]));

export function listModels(): readonly SimulatedModel[] {
  return MODELS;
}

export function findModel(id: string): SimulatedModel | undefined {
  return BY_ID.get(id);
}

/** The wire shape of one model (OpenAI's `Model` object). */
export function modelObject(m: SimulatedModel): { id: string; object: 'model'; created: number; owned_by: string } {
  return { id: m.id, object: 'model', created: m.created, owned_by: 'system' };
}
