// A pass-through stream that fails once more than `limit` bytes went through it: uploads are forwarded as they
// arrive, never buffered whole, and still bounded.
import { Transform } from 'node:stream';
import { PayloadTooLargeError } from './errors.js';

export class LimitedStream extends Transform {
  private seen = 0;
  /** True once the limit was passed (the stream then ends in a PayloadTooLargeError). */
  tripped = false;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      this.tripped = true;
      done(new PayloadTooLargeError(this.limit));
      return;
    }
    done(null, chunk);
  }
}
