// Pass-through meter for a streamed response: forwards whole SSE events, reads the reported usage, hides the
// usage the gateway asked for on the client's behalf, and keeps what is needed to count delivered output.
import type { TokenUsage } from '../pricing/cost.js';
import type { StreamingEndpoint } from './endpoint.js';
import { DeliveredText, RESPONSES_ITEM_ADDED, RESPONSES_TEXT_DELTAS } from './delivered-text.js';
import { findUsageMember, nullUsageCut } from './hide-usage.js';
import { isRecord } from './json.js';
import { eventName, isDoneEvent, parseEventData, withData } from './sse-event.js';
import { SseFramer } from './sse-framer.js';
import { usageFromUsageObject } from './usage-from-json.js';

export interface SseMeterOptions {
  endpoint: StreamingEndpoint;
  model: string;
  /** true when the gateway added stream_options.include_usage itself: then the final usage-only chunk and the
   *  `"usage":null` field that include_usage adds to every other chunk are removed from what the client gets.
   *  Ignored for responses, whose stream always reports usage. */
  hideUsage: boolean;
}

const RESPONSES_TERMINAL = ['response.completed', 'response.incomplete', 'response.failed'];
const TERMINAL_LITERALS = RESPONSES_TERMINAL.map((type) => Buffer.from(`"${type}"`));
const DELTA_HINT = Buffer.from('delta"');
const ITEM_ADDED_HINT = Buffer.from(`"${RESPONSES_ITEM_ADDED}"`);
const OPEN_BRACE = 0x7b;
const NULL_START = 0x6e;

export class SseMeter {
  private readonly framer = new SseFramer();
  private readonly delivered: DeliveredText;
  private readonly endpoint: StreamingEndpoint;
  private readonly hideUsage: boolean;
  private reported: TokenUsage | undefined;
  private terminated = false;

  constructor(opts: SseMeterOptions) {
    this.endpoint = opts.endpoint;
    this.hideUsage = opts.hideUsage && opts.endpoint !== 'responses';
    this.delivered = new DeliveredText(opts.endpoint, opts.model);
  }

  /**
   * Feeds upstream bytes; returns the bytes to forward to the client now (whole events only; a partial event
   * waits for its blank line), or null when nothing is ready. With hideUsage false the returned bytes,
   * concatenated, are byte-identical to the input. `chunk` must not be modified afterwards.
   */
  push(chunk: Buffer): Buffer | null {
    const out: Buffer[] = [];
    for (const event of this.framer.push(chunk)) this.handle(event, out, false);
    return joined(out);
  }

  /** Upstream ended: the remaining bytes (a trailing partial event is forwarded as-is, minus hidden usage). */
  end(): Buffer | null {
    const rest = this.framer.flush();
    if (rest === null) return null;
    const out: Buffer[] = [];
    this.handle(rest, out, true);
    return joined(out);
  }

  /** Usage the stream reported (chat/completions: the usage chunk; responses: the terminal event's
   *  response.usage), or undefined if it never did (cut off). */
  usage(): TokenUsage | undefined {
    return this.reported;
  }

  /** True once the terminal marker passed: `data: [DONE]`, or response.completed / failed / incomplete. */
  finished(): boolean {
    return this.terminated;
  }

  /** Output tokens forwarded to the client so far, counted with the model's tokenizer (for cut-off streams). */
  deliveredOutputTokens(): number {
    return this.delivered.tokens();
  }

  private handle(event: Buffer, out: Buffer[], partial: boolean): void {
    if (this.endpoint === 'responses') this.handleResponsesEvent(event, out);
    else this.handleChunkEvent(event, out, partial);
  }

  private handleChunkEvent(event: Buffer, out: Buffer[], partial: boolean): void {
    const usage = findUsageMember(event);
    if (usage === undefined) {
      if (isDoneEvent(event)) this.terminated = true;
      else this.delivered.record(event);
      out.push(event);
      return;
    }
    if (event[usage.valueAt] === OPEN_BRACE) {
      this.handleUsageChunk(event, out, partial);
      return;
    }
    this.delivered.record(event);
    if (!this.hideUsage || event[usage.valueAt] !== NULL_START) {
      out.push(event);
      return;
    }
    const cut = nullUsageCut(event, usage.keyAt);
    if (cut !== undefined) {
      out.push(event.subarray(0, cut[0]), event.subarray(cut[1]));
      return;
    }
    const json = parseEventData(event);
    if (isRecord(json) && json['usage'] === null) {
      delete json['usage'];
      out.push(withData(event, JSON.stringify(json)));
    } else {
      out.push(event);
    }
  }

  /** The chunk carrying usage: normally `"choices":[]` (dropped when hidden); kept without usage otherwise. */
  private handleUsageChunk(event: Buffer, out: Buffer[], partial: boolean): void {
    const json = parseEventData(event);
    const chunk = isRecord(json) ? json : undefined;
    const usage = chunk === undefined ? undefined : usageFromUsageObject(this.endpoint, chunk['usage']);
    if (usage !== undefined) this.reported = usage;
    const choices = chunk?.['choices'];
    const hasChoices = chunk === undefined || (Array.isArray(choices) && choices.length > 0);
    if (hasChoices) this.delivered.record(event);
    if (!this.hideUsage) {
      out.push(event);
      return;
    }
    if (chunk === undefined) {
      // Unparseable: a cut-off tail carries nothing the client's parser would use; anything else passes untouched.
      if (!partial) out.push(event);
      return;
    }
    if (!hasChoices) return;
    delete chunk['usage'];
    out.push(withData(event, JSON.stringify(chunk)));
  }

  private handleResponsesEvent(event: Buffer, out: Buffer[]): void {
    out.push(event);
    const name = eventName(event);
    const maybeTerminal = name === undefined
      ? TERMINAL_LITERALS.some((literal) => event.indexOf(literal) !== -1)
      : RESPONSES_TERMINAL.includes(name);
    if (maybeTerminal) {
      const json = parseEventData(event);
      if (isRecord(json) && typeof json['type'] === 'string' && RESPONSES_TERMINAL.includes(json['type'])) {
        this.terminated = true;
        const response = json['response'];
        const usage = isRecord(response) ? usageFromUsageObject('responses', response['usage']) : undefined;
        if (usage !== undefined) this.reported = usage;
      }
      return;
    }
    const carriesText = name === undefined
      ? event.indexOf(DELTA_HINT) !== -1 || event.indexOf(ITEM_ADDED_HINT) !== -1
      : RESPONSES_TEXT_DELTAS.has(name) || name === RESPONSES_ITEM_ADDED;
    if (carriesText) this.delivered.record(event);
  }
}

/** One buffer for the client; neighbouring slices of the same memory are joined as a view, without copying. */
function joined(parts: Buffer[]): Buffer | null {
  const runs: Buffer[] = [];
  let bytes = 0;
  let runFirst: Buffer | undefined;
  let runLength = 0;
  for (const part of parts) {
    if (part.length === 0) continue;
    bytes += part.length;
    if (runFirst !== undefined && part.buffer === runFirst.buffer && runFirst.byteOffset + runLength === part.byteOffset) {
      runLength += part.length;
      continue;
    }
    if (runFirst !== undefined) runs.push(view(runFirst, runLength));
    runFirst = part;
    runLength = part.length;
  }
  if (runFirst !== undefined) runs.push(view(runFirst, runLength));
  if (runs.length === 0) return null;
  return runs.length === 1 ? runs[0]! : Buffer.concat(runs, bytes);
}

function view(first: Buffer, length: number): Buffer {
  return length === first.length ? first : Buffer.from(first.buffer, first.byteOffset, length);
}
