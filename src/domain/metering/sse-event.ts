// Reading fields of one raw SSE event (a Buffer holding its lines) without decoding the parts not needed.

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const COLON = 0x3a;

/** Calls `visit(field, valueStart, valueEnd)` for each `field:value` line; stops when it returns true. */
function scanLines(event: Buffer, visit: (field: string, start: number, end: number) => boolean): void {
  let pos = 0;
  while (pos < event.length) {
    let end = event.indexOf(LF, pos);
    const next = end === -1 ? event.length : end + 1;
    if (end === -1) end = event.length;
    if (end > pos && event[end - 1] === CR) end -= 1;
    let nameEnd = pos;
    while (nameEnd < end && event[nameEnd] !== COLON) nameEnd += 1;
    if (end > pos && nameEnd !== pos) {
      let valueStart = nameEnd === end ? end : nameEnd + 1;
      if (valueStart < end && event[valueStart] === SPACE) valueStart += 1;
      if (visit(event.toString('latin1', pos, nameEnd), valueStart, end)) return;
    }
    pos = next;
  }
}

const EVENT_PREFIX = Buffer.from('event:');

/** The event's `event:` name, or undefined. */
export function eventName(event: Buffer): string | undefined {
  if (event.length > EVENT_PREFIX.length && event.compare(EVENT_PREFIX, 0, EVENT_PREFIX.length, 0, EVENT_PREFIX.length) === 0) {
    let start = EVENT_PREFIX.length;
    if (event[start] === SPACE) start += 1;
    let end = event.indexOf(LF, start);
    if (end === -1) end = event.length;
    if (end > start && event[end - 1] === CR) end -= 1;
    return event.toString('utf8', start, end);
  }
  let name: string | undefined;
  scanLines(event, (field, start, end) => {
    if (field !== 'event') return false;
    name = event.toString('utf8', start, end);
    return true;
  });
  return name;
}

/** The event's data: its `data:` lines joined with LF, or undefined when it has none. */
export function eventData(event: Buffer): string | undefined {
  let data: string | undefined;
  scanLines(event, (field, start, end) => {
    if (field === 'data') {
      const line = event.toString('utf8', start, end);
      data = data === undefined ? line : `${data}\n${line}`;
    }
    return false;
  });
  return data;
}

/** The event's data parsed as JSON, or undefined when absent or not JSON. */
export function parseEventData(event: Buffer): unknown {
  const data = eventData(event);
  if (data === undefined) return undefined;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return undefined;
  }
}

const DONE = Buffer.from('[DONE]');

/** True when the event is the chat/completions terminator `data: [DONE]`. */
export function isDoneEvent(event: Buffer): boolean {
  if (event.indexOf(DONE) === -1) return false;
  return eventData(event) === '[DONE]';
}

/** The event rebuilt around new data: its other lines kept in order, one `data:` line, an LF blank line. */
export function withData(event: Buffer, data: string): Buffer {
  const lines: string[] = [];
  let placed = false;
  let pos = 0;
  while (pos < event.length) {
    const nl = event.indexOf(LF, pos);
    const lineEnd = nl === -1 ? event.length : nl;
    const line = event.toString('utf8', pos, lineEnd > pos && event[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd);
    pos = lineEnd + 1;
    if (line.length === 0) continue;
    if (line.startsWith('data:') || line === 'data') {
      if (!placed) lines.push(`data: ${data}`);
      placed = true;
    } else {
      lines.push(line);
    }
  }
  if (!placed) lines.push(`data: ${data}`);
  return Buffer.from(`${lines.join('\n')}\n\n`);
}
