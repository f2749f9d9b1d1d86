// Output text a stream has delivered to the client, kept cheaply and tokenized only when asked (cut-off streams).
// Events are retained raw; past a size threshold they are folded into per-output text pieces.
import type { StreamingEndpoint } from './endpoint.js';
import { isRecord, type Json } from './json.js';
import { parseEventData } from './sse-event.js';
import { countTextTokens } from './tokenizer.js';

/** Raw event bytes kept before they are parsed down to their text (bounds memory on long streams). */
export const FOLD_THRESHOLD_BYTES = 256 * 1024;

/** Responses stream events whose `delta` is model output text. */
export const RESPONSES_TEXT_DELTAS: ReadonlySet<string> = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.function_call_arguments.delta',
  'response.custom_tool_call_input.delta',
  'response.reasoning_summary_text.delta',
  'response.reasoning_text.delta',
  'response.code_interpreter_call_code.delta',
  'response.mcp_call_arguments.delta',
]);
/** Announces a new output item; carries a tool call's name. */
export const RESPONSES_ITEM_ADDED = 'response.output_item.added';

export class DeliveredText {
  private raw: Buffer[] = [];
  private rawBytes = 0;
  /** Text pieces per output stream (choice and field, or response item and part), in arrival order. */
  private readonly pieces = new Map<string, string[]>();

  constructor(private readonly endpoint: StreamingEndpoint, private readonly model: string) {}

  /** Keeps a forwarded event that may carry output text. */
  record(event: Buffer): void {
    this.raw.push(event);
    this.rawBytes += event.length;
    if (this.rawBytes > FOLD_THRESHOLD_BYTES) this.fold();
  }

  /** Tokens of all delivered text, each output stream tokenized as one text. */
  tokens(): number {
    this.fold();
    let total = 0;
    for (const parts of this.pieces.values()) total += countTextTokens(this.model, parts.join(''));
    return total;
  }

  private fold(): void {
    for (const event of this.raw) {
      const json = parseEventData(event);
      if (!isRecord(json)) continue;
      if (this.endpoint === 'responses') this.addResponsesEvent(json);
      else this.addChoices(json);
    }
    this.raw = [];
    this.rawBytes = 0;
  }

  private add(key: string, text: unknown): void {
    if (typeof text !== 'string' || text.length === 0) return;
    const parts = this.pieces.get(key);
    if (parts === undefined) this.pieces.set(key, [text]);
    else parts.push(text);
  }

  /** chat.completions deltas (content, refusal, tool calls, function_call) and completions' text, per choice. */
  private addChoices(chunk: Json): void {
    const choices = chunk['choices'];
    if (!Array.isArray(choices)) return;
    choices.forEach((choice: unknown, position) => {
      if (!isRecord(choice)) return;
      const index = typeof choice['index'] === 'number' ? choice['index'] : position;
      if (this.endpoint === 'completions') {
        this.add(`${index}:text`, choice['text']);
        return;
      }
      const delta = choice['delta'];
      if (!isRecord(delta)) return;
      this.add(`${index}:content`, delta['content']);
      this.add(`${index}:refusal`, delta['refusal']);
      const fn = delta['function_call'];
      if (isRecord(fn)) {
        this.add(`${index}:fn:name`, fn['name']);
        this.add(`${index}:fn:args`, fn['arguments']);
      }
      const calls = delta['tool_calls'];
      if (!Array.isArray(calls)) return;
      calls.forEach((call: unknown, callPosition) => {
        if (!isRecord(call)) return;
        const callIndex = typeof call['index'] === 'number' ? call['index'] : callPosition;
        const callFn = isRecord(call['function']) ? call['function'] : isRecord(call['custom']) ? call['custom'] : undefined;
        if (callFn === undefined) return;
        this.add(`${index}:tool:${callIndex}:name`, callFn['name']);
        this.add(`${index}:tool:${callIndex}:args`, callFn['arguments'] ?? callFn['input']);
      });
    });
  }

  private addResponsesEvent(event: Json): void {
    const type = event['type'];
    if (typeof type !== 'string') return;
    if (type === RESPONSES_ITEM_ADDED) {
      const item = event['item'];
      if (isRecord(item) && typeof item['type'] === 'string' && item['type'].endsWith('call')) {
        this.add(`${String(item['id'] ?? event['output_index'])}:name`, item['name']);
      }
      return;
    }
    if (!RESPONSES_TEXT_DELTAS.has(type)) return;
    const item = String(event['item_id'] ?? event['output_index']);
    const part = String(event['content_index'] ?? event['summary_index'] ?? 0);
    this.add(`${type}:${item}:${part}`, event['delta']);
  }
}
