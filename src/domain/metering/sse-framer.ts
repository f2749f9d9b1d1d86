// Splits an SSE byte stream into whole events (each ending with its blank line) across arbitrary chunk boundaries.
// Lines end with LF or CRLF. Linear time: every byte is scanned once and copied at most once.

const LF = 0x0a;
const CR = 0x0d;

export class SseFramer {
  /** Bytes of the event in progress that arrived in earlier chunks. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Length of the unterminated line at the end of `pending`, and whether its first byte is CR. */
  private lineBytes = 0;
  private lineStartsWithCr = false;

  /**
   * Feeds bytes; returns the events completed by them, each including its terminating blank line.
   * Returned buffers may share memory with `chunk`, which must not be modified afterwards.
   */
  push(chunk: Buffer): Buffer[] {
    const events: Buffer[] = [];
    let eventStart = 0;
    let pos = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, pos);
      if (nl === -1) break;
      const segment = nl - pos;
      const lineLength = this.lineBytes + segment;
      const blank = lineLength === 0
        || (lineLength === 1 && (segment === 1 ? chunk[pos] === CR : this.lineStartsWithCr));
      this.lineBytes = 0;
      this.lineStartsWithCr = false;
      pos = nl + 1;
      if (blank) {
        events.push(this.takeEvent(chunk.subarray(eventStart, pos)));
        eventStart = pos;
      }
    }
    if (pos < chunk.length) {
      if (this.lineBytes === 0) this.lineStartsWithCr = chunk[pos] === CR;
      this.lineBytes += chunk.length - pos;
    }
    if (eventStart < chunk.length) {
      this.pending.push(chunk.subarray(eventStart));
      this.pendingBytes += chunk.length - eventStart;
    }
    return events;
  }

  /** The bytes of an unterminated trailing event (the stream ended), or null. Resets the framer. */
  flush(): Buffer | null {
    if (this.pendingBytes === 0) return null;
    const rest = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.reset();
    return rest;
  }

  private takeEvent(tail: Buffer): Buffer {
    if (this.pendingBytes === 0) return tail;
    this.pending.push(tail);
    const event = Buffer.concat(this.pending, this.pendingBytes + tail.length);
    this.reset();
    return event;
  }

  private reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.lineBytes = 0;
    this.lineStartsWithCr = false;
  }
}
