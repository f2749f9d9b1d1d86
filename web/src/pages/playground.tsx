// A chat that spends the account's credits through the metered path; each answer shows what it cost.
import { useState } from 'preact/hooks';
import { apiWithHeader, type Me } from '../api.js';
import { Card, Credits, ErrorLine } from '../ui.js';

interface Message { role: 'user' | 'assistant'; content: string; cost?: string }
interface Completion { choices: Array<{ message: { content: string | null } }>; usage?: { prompt_tokens: number; completion_tokens: number } }

export function Playground(props: { me: Me }) {
  const [model, setModel] = useState('gpt-4o-mini');
  const [input, setInput] = useState('');
  const [messages, setMessages] = useState<Message[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (props.me.role === 'reader') return <Card title="Playground"><p class="muted">Readers cannot spend credits.</p></Card>;
  const send = async (e: Event) => {
    e.preventDefault();
    if (!input.trim()) return;
    const next: Message[] = [...messages, { role: 'user', content: input }];
    setMessages(next);
    setInput('');
    setBusy(true);
    setError(null);
    try {
      const { data, header } = await apiWithHeader<Completion>('/playground/chat', {
        model, max_tokens: 256, messages: next.map((m) => ({ role: m.role, content: m.content })),
      }, 'x-tollgate-cost');
      setMessages([...next, { role: 'assistant', content: data.choices[0]?.message.content ?? '', cost: header ?? '0' }]);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Playground" testId="playground">
      <label>Model<input name="model" value={model} onInput={(e) => setModel(e.currentTarget.value)} /></label>
      <div class="chat">
        {messages.map((m, i) => (
          <div key={i} class={`msg ${m.role}`} data-testid={m.role === 'assistant' ? 'answer' : 'question'}>
            <div>{m.content}</div>
            {m.cost !== undefined && <div class="cost">cost <span data-testid="answer-cost"><Credits value={m.cost} /></span> credits</div>}
          </div>
        ))}
      </div>
      <form class="row" onSubmit={send}>
        <input name="prompt" placeholder="Say something" value={input} onInput={(e) => setInput(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>{busy ? 'Sending…' : 'Send'}</button>
      </form>
      <ErrorLine error={error} />
    </Card>
  );
}
