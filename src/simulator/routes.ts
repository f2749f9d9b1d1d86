// Which handler answers a method and path; the model list endpoints live here too (they are two lines each).
import type { Answer, CallContext } from './answer.js';
import { chatCompletion } from './chat.js';
import { textCompletion } from './completions.js';
import { createEmbeddings } from './embeddings.js';
import { SimulatedApiError } from './errors.js';
import { findModel, listModels, modelObject } from './models.js';
import { asFields } from './request-fields.js';
import { createResponse } from './responses.js';

export interface Route {
  /** POST routes take a JSON body; GET routes ignore the body. */
  needsBody: boolean;
  handle(body: unknown, ctx: CallContext): Answer;
}

const POST_ROUTES: Record<string, Route> = {
  '/v1/chat/completions': { needsBody: true, handle: (body, ctx) => chatCompletion(asFields(body), ctx) },
  '/v1/responses': { needsBody: true, handle: (body, ctx) => createResponse(asFields(body), ctx) },
  '/v1/completions': { needsBody: true, handle: (body, ctx) => textCompletion(asFields(body), ctx) },
  '/v1/embeddings': { needsBody: true, handle: (body, ctx) => createEmbeddings(asFields(body), ctx) },
};

const LIST_MODELS: Route = {
  needsBody: false,
  handle: () => ({ kind: 'json', status: 200, body: { object: 'list', data: listModels().map(modelObject) } }),
};

function retrieveModel(id: string): Route {
  return {
    needsBody: false,
    handle: () => {
      const model = findModel(id);
      if (model === undefined) {
        throw new SimulatedApiError(404, `The model '${id}' does not exist`, { param: 'model', code: 'model_not_found' });
      }
      return { kind: 'json', status: 200, body: modelObject(model) };
    },
  };
}

/** The route for `method path` (path without query string), or undefined for OpenAI's 404 "Invalid URL". */
export function findRoute(method: string, path: string): Route | undefined {
  if (method === 'POST') return POST_ROUTES[path];
  if (method !== 'GET') return undefined;
  if (path === '/v1/models') return LIST_MODELS;
  if (path.startsWith('/v1/models/') && path.length > '/v1/models/'.length) {
    let id: string;
    try {
      id = decodeURIComponent(path.slice('/v1/models/'.length));
    } catch {
      return undefined;
    }
    return retrieveModel(id);
  }
  return undefined;
}
