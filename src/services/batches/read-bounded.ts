// Reads an upstream body into one Buffer, refusing past a limit instead of growing without bound.
import { ApiError } from '../../http/errors.js';

export async function readBounded(body: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      throw new ApiError(413, `The file is larger than this gateway's limit of ${limit} bytes (TOLLGATE_MAX_FILE_BYTES).`, { code: 'file_too_large' });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
