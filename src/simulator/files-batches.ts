// The simulator's Files and Batch API: uploads kept in memory, batches that complete deterministically — each input
// line answered by the simulator's own endpoint handler, so its usage is what the same call would report.
import type { Answer, CallContext } from './answer.js';
import { SimulatedApiError } from './errors.js';
import { parseMultipart } from './multipart.js';
import { findRoute } from './routes.js';
import { asFields } from './request-fields.js';

/** A JSON answer, or a file's bytes. */
export type FilesAnswer = Answer | { kind: 'bytes'; status: number; bytes: Buffer; contentType: string };

interface StoredFile {
  id: string;
  purpose: string;
  filename: string;
  bytes: Buffer;
  createdAt: number;
}

interface StoredBatch {
  object: Record<string, unknown> & { id: string; status: string };
  retrieves: number;
}

const BATCH_ENDPOINTS = new Set(['/v1/chat/completions', '/v1/responses', '/v1/completions', '/v1/embeddings']);

export interface FilesBatchesOptions {
  /** Retrieves of a batch before it completes (default 1: the first retrieve finds it completed). */
  batchRetrievesToComplete?: number;
}

export class FilesBatches {
  private readonly files = new Map<string, StoredFile>();
  private readonly batches = new Map<string, StoredBatch>();

  constructor(private readonly opts: FilesBatchesOptions = {}) {}

  static handles(path: string): boolean {
    return path === '/v1/files' || path.startsWith('/v1/files/') || path === '/v1/batches' || path.startsWith('/v1/batches/');
  }

  answer(method: string, path: string, query: URLSearchParams, contentType: string | undefined, raw: Buffer, ctx: CallContext): FilesAnswer | undefined {
    const parts = path.split('/').slice(2); // ['files', id?, 'content'?]
    const [kind, id, action] = parts;
    if (kind === 'files') {
      if (id === undefined) {
        if (method === 'POST') return this.upload(contentType, raw, ctx);
        if (method === 'GET') return json(list([...this.files.values()].filter((f) => !query.get('purpose') || f.purpose === query.get('purpose')).map(fileObject), query));
        return undefined;
      }
      const file = this.files.get(id);
      if (action === undefined && method === 'GET') return json(fileObject(this.mustFile(id, file)));
      if (action === undefined && method === 'DELETE') {
        this.mustFile(id, file);
        this.files.delete(id);
        return json({ id, object: 'file', deleted: true });
      }
      if (action === 'content' && method === 'GET') {
        return { kind: 'bytes', status: 200, bytes: this.mustFile(id, file).bytes, contentType: 'application/octet-stream' };
      }
      return undefined;
    }
    if (kind === 'batches') {
      if (id === undefined) {
        if (method === 'POST') return this.createBatch(raw, ctx);
        if (method === 'GET') return json(list([...this.batches.values()].map((b) => b.object), query));
        return undefined;
      }
      const batch = this.batches.get(id);
      if (batch === undefined) throw new SimulatedApiError(404, `No batch found with id '${id}'.`, { param: 'batch_id' });
      if (action === undefined && method === 'GET') {
        batch.retrieves++;
        if (batch.retrieves >= (this.opts.batchRetrievesToComplete ?? 1)) this.complete(batch, ctx);
        return json(batch.object);
      }
      if (action === 'cancel' && method === 'POST') {
        if (batch.object.status === 'validating' || batch.object.status === 'in_progress') {
          Object.assign(batch.object, { status: 'cancelled', cancelling_at: ctx.now, cancelled_at: ctx.now });
        }
        return json(batch.object);
      }
    }
    return undefined;
  }

  private mustFile(id: string, file: StoredFile | undefined): StoredFile {
    if (file === undefined) throw new SimulatedApiError(404, `No such File object: ${id}`, { param: 'id' });
    return file;
  }

  private upload(contentType: string | undefined, raw: Buffer, ctx: CallContext): FilesAnswer {
    const form = parseMultipart(contentType, raw);
    if (form?.file === undefined) throw new SimulatedApiError(400, "Missing required parameter: 'file'.", { param: 'file' });
    const purpose = form.fields.get('purpose');
    if (purpose === undefined) throw new SimulatedApiError(400, "Missing required parameter: 'purpose'.", { param: 'purpose' });
    const file: StoredFile = { id: ctx.ids.next('file-'), purpose, filename: form.file.filename, bytes: form.file.bytes, createdAt: ctx.now };
    this.files.set(file.id, file);
    return json(fileObject(file));
  }

  private createBatch(raw: Buffer, ctx: CallContext): FilesAnswer {
    let body: Record<string, unknown>;
    try {
      body = asFields(JSON.parse(raw.toString('utf8')));
    } catch {
      throw new SimulatedApiError(400, 'We could not parse the JSON body of your request.');
    }
    const inputFileId = body.input_file_id;
    if (typeof inputFileId !== 'string' || !this.files.has(inputFileId)) {
      throw new SimulatedApiError(404, `No such File object: ${String(inputFileId)}`, { param: 'input_file_id' });
    }
    if (typeof body.endpoint !== 'string' || !BATCH_ENDPOINTS.has(body.endpoint)) {
      throw new SimulatedApiError(400, `Invalid value for 'endpoint': ${JSON.stringify(body.endpoint)}.`, { param: 'endpoint' });
    }
    if (body.completion_window !== '24h') {
      throw new SimulatedApiError(400, "Invalid value for 'completion_window': expected '24h'.", { param: 'completion_window' });
    }
    const id = ctx.ids.next('batch_');
    const object = {
      id, object: 'batch', endpoint: body.endpoint, errors: null, input_file_id: inputFileId, completion_window: '24h',
      status: 'validating', output_file_id: null, error_file_id: null, created_at: ctx.now, in_progress_at: null,
      expires_at: ctx.now + 86_400, finalizing_at: null, completed_at: null, failed_at: null, expired_at: null,
      cancelling_at: null, cancelled_at: null, request_counts: { total: 0, completed: 0, failed: 0 },
      metadata: body.metadata ?? null,
    };
    this.batches.set(id, { object, retrieves: 0 });
    return json(object);
  }

  /** Runs every input line through the endpoint handler and writes the output (and error) file. */
  private complete(batch: StoredBatch, ctx: CallContext): void {
    if (batch.object.status !== 'validating' && batch.object.status !== 'in_progress') return;
    const input = this.files.get(String(batch.object.input_file_id));
    const lines = (input?.bytes.toString('utf8') ?? '').split('\n').filter((l) => l.trim() !== '');
    const outputs: string[] = [];
    const errors: string[] = [];
    for (const line of lines) {
      const request = asFields(JSON.parse(line));
      const route = findRoute('POST', String(request.url));
      const requestId = ctx.ids.next('req_');
      const lineId = ctx.ids.next('batch_req_');
      try {
        if (route === undefined) throw new SimulatedApiError(404, `Invalid URL (POST ${String(request.url)})`);
        const answer = route.handle({ ...asFields(request.body), stream: false }, { ids: ctx.ids, prompts: ctx.prompts, now: ctx.now });
        const body = answer.kind === 'json' ? answer.body : null;
        outputs.push(JSON.stringify({ id: lineId, custom_id: request.custom_id, response: { status_code: 200, request_id: requestId, body }, error: null }));
      } catch (err) {
        const error = err instanceof SimulatedApiError ? err : new SimulatedApiError(500, String(err), { type: 'server_error' });
        errors.push(JSON.stringify({ id: lineId, custom_id: request.custom_id, response: { status_code: error.status, request_id: requestId, body: error.toBody() }, error: null }));
      }
    }
    const output = outputs.length > 0 ? this.store('batch_output.jsonl', outputs, ctx) : null;
    const errorFile = errors.length > 0 ? this.store('batch_errors.jsonl', errors, ctx) : null;
    Object.assign(batch.object, {
      status: 'completed', in_progress_at: ctx.now, finalizing_at: ctx.now, completed_at: ctx.now,
      output_file_id: output, error_file_id: errorFile,
      request_counts: { total: lines.length, completed: outputs.length, failed: errors.length },
    });
  }

  private store(filename: string, lines: string[], ctx: CallContext): string {
    const file: StoredFile = { id: ctx.ids.next('file-'), purpose: 'batch_output', filename, bytes: Buffer.from(lines.join('\n') + '\n'), createdAt: ctx.now };
    this.files.set(file.id, file);
    return file.id;
  }
}

function json(body: unknown): Answer {
  return { kind: 'json', status: 200, body };
}

function fileObject(f: StoredFile): Record<string, unknown> {
  return { id: f.id, object: 'file', bytes: f.bytes.length, created_at: f.createdAt, filename: f.filename, purpose: f.purpose, status: 'processed', expires_at: null, status_details: null };
}

/** OpenAI's cursor page: newest first unless order=asc, `after` an id, `limit` (default 20, files 10000). */
function list(items: Array<Record<string, unknown>>, query: URLSearchParams): Record<string, unknown> {
  let data = [...items].reverse();
  if (query.get('order') === 'asc') data = items.slice();
  const after = query.get('after');
  if (after) {
    const at = data.findIndex((d) => d.id === after);
    data = at >= 0 ? data.slice(at + 1) : data;
  }
  const limit = Number(query.get('limit') ?? 20);
  const page = data.slice(0, Number.isInteger(limit) && limit > 0 ? limit : 20);
  return { object: 'list', data: page, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null, has_more: data.length > page.length };
}
