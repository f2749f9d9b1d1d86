// The two request shapes the bench sends: a small non-streamed chat completion and the same one streamed.
// The fast upstream answers both from precomputed bytes (10 content chunks for the stream).

export const SCENARIOS = ['json', 'stream'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const BENCH_MODEL = 'gpt-4o-mini';

const MESSAGES = [
  { role: 'system', content: 'You are a terse assistant.' },
  { role: 'user', content: 'Say hello to the benchmark in one short sentence.' },
];

/** The request body for a scenario (a typical client: a streaming one does not ask for the usage chunk itself). */
export function scenarioBody(scenario: ScenarioName): string {
  return JSON.stringify({
    model: BENCH_MODEL, messages: MESSAGES, max_tokens: 64, ...(scenario === 'stream' ? { stream: true } : {}),
  });
}

/** Throws unless `body` is a complete, successful answer for the scenario (used on a sample before measuring). */
export function checkAnswer(scenario: ScenarioName, status: number, body: string): void {
  if (status !== 200) throw new Error(`expected HTTP 200, got ${status}: ${body.slice(0, 300)}`);
  if (scenario === 'json') {
    const parsed = JSON.parse(body) as { choices?: unknown[]; usage?: unknown };
    if (!Array.isArray(parsed.choices) || parsed.choices.length === 0 || parsed.usage === undefined) {
      throw new Error(`not a chat completion: ${body.slice(0, 300)}`);
    }
    return;
  }
  const events = body.split('\n\n').filter((e) => e.startsWith('data: '));
  if (events.at(-1) !== 'data: [DONE]') throw new Error(`stream did not end with [DONE]: ${body.slice(-200)}`);
  if (events.length < 10) throw new Error(`stream had only ${events.length} events`);
}
