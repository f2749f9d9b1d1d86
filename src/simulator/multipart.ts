// A small multipart/form-data reader for the simulator's file uploads: fields as strings, one file as bytes.
export interface MultipartForm {
  fields: Map<string, string>;
  file: { name: string; filename: string; bytes: Buffer } | undefined;
}

/** Parses `raw` with the boundary from `contentType`; undefined when it is not multipart/form-data. */
export function parseMultipart(contentType: string | undefined, raw: Buffer): MultipartForm | undefined {
  const match = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  const fields = new Map<string, string>();
  let file: MultipartForm['file'];
  let at = raw.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (raw.subarray(start, start + 2).toString() === '--') break;
    const next = raw.indexOf(delimiter, start);
    if (next < 0) break;
    const part = raw.subarray(start + 2, next - 2); // skip CRLF after the delimiter and before the next one
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const body = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      if (name !== undefined && filename !== undefined) file = { name, filename, bytes: Buffer.from(body) };
      else if (name !== undefined) fields.set(name, body.toString('utf8'));
    }
    at = next;
  }
  return { fields, file };
}
