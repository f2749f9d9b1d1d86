// Sums the usage a finished batch's output (or error) file reports, line by line, without holding the file in memory.
import type { Endpoint } from '../../domain/metering/endpoint.js';
import { usageFromResponse } from '../../domain/metering/usage-from-json.js';
import type { TokenUsage } from '../../domain/pricing/cost.js';

export interface BatchUsage {
  tokens: TokenUsage;
  /** Lines whose response reported usage. */
  lines: number;
  /** Lines without readable usage (failed requests, malformed lines): they cost nothing. */
  withoutUsage: number;
}

export function emptyBatchUsage(): BatchUsage {
  return { tokens: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0 }, lines: 0, withoutUsage: 0 };
}

/** Adds one output line (`{"custom_id", "response": {"status_code", "body": {..., "usage"}}, "error"}`) to `into`. */
export function addOutputLine(endpoint: Endpoint, line: string, into: BatchUsage): void {
  if (line.trim() === '') return;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    into.withoutUsage++;
    return;
  }
  const response = (value as { response?: { body?: unknown } } | null)?.response;
  const usage = usageFromResponse(endpoint, response?.body);
  if (usage === undefined) {
    into.withoutUsage++;
    return;
  }
  into.lines++;
  into.tokens.inputTokens += usage.inputTokens;
  into.tokens.cachedInputTokens += usage.cachedInputTokens;
  into.tokens.outputTokens += usage.outputTokens;
  into.tokens.reasoningTokens += usage.reasoningTokens;
}

/** Reads a JSONL body chunk by chunk, adding each line's usage to `into`. */
export async function addOutputFile(endpoint: Endpoint, body: AsyncIterable<Buffer>, into: BatchUsage): Promise<void> {
  let rest = '';
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    rest += decoder.decode(chunk, { stream: true });
    let at = rest.indexOf('\n');
    while (at >= 0) {
      addOutputLine(endpoint, rest.slice(0, at), into);
      rest = rest.slice(at + 1);
      at = rest.indexOf('\n');
    }
  }
  rest += decoder.decode();
  addOutputLine(endpoint, rest, into);
}
