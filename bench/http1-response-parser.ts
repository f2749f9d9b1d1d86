// Incremental parser for the HTTP/1.1 responses on one keep-alive connection, for the raw-socket load generator:
// the status line and headers, then a body framed by Content-Length or by chunked transfer encoding. It only finds
// where each response ends (and when its first body byte came); it keeps no body bytes.

export interface ParsedResponse {
  status: number;
  /** Header names in lower case; a repeated header keeps its last value. */
  headers: Record<string, string>;
  /** Body bytes received (after de-chunking). */
  bodyBytes: number;
}

export interface ResponseEvents {
  /** The first body byte arrived (or the head of a response with an empty body). */
  onFirstByte(): void;
  onResponse(response: ParsedResponse): void;
}

type State =
  | { kind: 'head' }
  | { kind: 'length'; left: number }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; left: number }
  | { kind: 'chunk-data-end' }
  | { kind: 'trailers' };

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

export class Http1ResponseParser {
  private pending: Buffer = Buffer.alloc(0);
  private state: State = { kind: 'head' };
  private current: ParsedResponse | undefined;
  private firstByteSeen = false;

  constructor(private readonly events: ResponseEvents) {}

  /** Feeds the bytes read from the socket; throws on a response it cannot frame. */
  push(data: Buffer): void {
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    while (this.step()) { /* each step consumes what it can */ }
  }

  private step(): boolean {
    const buf = this.pending;
    switch (this.state.kind) {
      case 'head': {
        const end = buf.indexOf(HEAD_END);
        if (end < 0) return false;
        this.startResponse(buf.toString('latin1', 0, end));
        this.pending = buf.subarray(end + HEAD_END.length);
        return true;
      }
      case 'length': {
        if (buf.length === 0) return false;
        if (this.consume(this.state) === 0) this.finish();
        return true;
      }
      case 'chunk-size': {
        const end = buf.indexOf(CRLF);
        if (end < 0) return false;
        const size = Number.parseInt(buf.toString('latin1', 0, end).split(';')[0]!.trim(), 16);
        if (!Number.isSafeInteger(size) || size < 0) throw new Error(`bad chunk size line: ${buf.toString('latin1', 0, end)}`);
        this.pending = buf.subarray(end + CRLF.length);
        this.state = size === 0 ? { kind: 'trailers' } : { kind: 'chunk-data', left: size };
        return true;
      }
      case 'chunk-data': {
        if (buf.length === 0) return false;
        if (this.consume(this.state) === 0) this.state = { kind: 'chunk-data-end' };
        return true;
      }
      case 'chunk-data-end': {
        if (buf.length < CRLF.length) return false;
        if (!buf.subarray(0, CRLF.length).equals(CRLF)) throw new Error('chunk data not followed by CRLF');
        this.pending = buf.subarray(CRLF.length);
        this.state = { kind: 'chunk-size' };
        return true;
      }
      case 'trailers': {
        // No trailers are expected: the last chunk is followed by an empty line, possibly after trailer lines.
        const end = buf.indexOf(CRLF);
        if (end < 0) return false;
        this.pending = buf.subarray(end + CRLF.length);
        if (end === 0) this.finish();
        return true;
      }
    }
  }

  private startResponse(head: string): void {
    const lines = head.split('\r\n');
    const statusLine = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (!statusLine) throw new Error(`not an HTTP/1.x status line: ${lines[0]}`);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    this.current = { status: Number(statusLine[1]), headers, bodyBytes: 0 };
    this.firstByteSeen = false;
    if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) {
      this.state = { kind: 'chunk-size' };
      return;
    }
    const length = Number(headers['content-length'] ?? '0');
    if (!Number.isSafeInteger(length) || length < 0) throw new Error(`bad content-length: ${headers['content-length']}`);
    if (length === 0) {
      this.events.onFirstByte();
      this.finish();
      return;
    }
    this.state = { kind: 'length', left: length };
  }

  /** Takes what is pending of a body part of `state.left` bytes; returns how many are still to come. */
  private consume(state: { left: number }): number {
    const take = Math.min(this.pending.length, state.left);
    this.body(take);
    state.left -= take;
    this.pending = this.pending.subarray(take);
    return state.left;
  }

  private body(bytes: number): void {
    if (bytes === 0) return;
    if (!this.firstByteSeen) {
      this.firstByteSeen = true;
      this.events.onFirstByte();
    }
    this.current!.bodyBytes += bytes;
  }

  private finish(): void {
    const done = this.current!;
    this.current = undefined;
    this.state = { kind: 'head' };
    this.events.onResponse(done);
  }
}
