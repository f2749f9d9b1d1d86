// Removes the `"usage":null` member that stream_options.include_usage adds to every chat/completions chunk,
// editing the bytes in place of a parse; the result is the JSON the upstream would have sent without it.

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;

export const USAGE_KEY = Buffer.from('"usage"');

function skipBlanks(bytes: Buffer, pos: number, step: 1 | -1): number {
  while (pos >= 0 && pos < bytes.length && (bytes[pos] === 0x20 || bytes[pos] === 0x09)) pos += step;
  return pos;
}

function isNullAt(bytes: Buffer, pos: number): boolean {
  return bytes[pos] === 0x6e && bytes[pos + 1] === 0x75 && bytes[pos + 2] === 0x6c && bytes[pos + 3] === 0x6c;
}

/** Where the value of the key ending before `afterKey` starts (after `:` and blanks), or -1 when no `:` follows. */
export function valueStart(bytes: Buffer, afterKey: number): number {
  const colon = skipBlanks(bytes, afterKey, 1);
  if (bytes[colon] !== COLON) return -1;
  return skipBlanks(bytes, colon + 1, 1);
}

/**
 * The byte range [start, end) to cut from `bytes` so that the member `"usage":null` whose key starts at `keyAt`
 * disappears along with one neighbouring comma, keeping the object valid JSON; undefined when the bytes
 * around it are not the expected `{`/`,` … `,`/`}` shape (the caller then rewrites the event from a parse).
 * Safe on raw JSON text: `"usage"` with both quotes unescaped can only be an object key.
 */
export function nullUsageCut(bytes: Buffer, keyAt: number): [number, number] | undefined {
  if (bytes[keyAt] !== QUOTE) return undefined;
  const value = valueStart(bytes, keyAt + USAGE_KEY.length);
  if (value === -1 || !isNullAt(bytes, value)) return undefined;
  const valueEnd = value + 4;
  const after = skipBlanks(bytes, valueEnd, 1);
  const before = skipBlanks(bytes, keyAt - 1, -1);
  if (bytes[after] === COMMA && (bytes[before] === OPEN || bytes[before] === COMMA)) return [keyAt, after + 1];
  if (bytes[after] === CLOSE && bytes[before] === COMMA) return [before, valueEnd];
  if (bytes[after] === CLOSE && bytes[before] === OPEN) return [keyAt, valueEnd];
  return undefined;
}

/** The first `"usage"` key in `bytes` and where its value starts, or undefined when there is none. */
export function findUsageMember(bytes: Buffer): { keyAt: number; valueAt: number } | undefined {
  let from = 0;
  for (;;) {
    const keyAt = bytes.indexOf(USAGE_KEY, from);
    if (keyAt === -1) return undefined;
    const valueAt = valueStart(bytes, keyAt + USAGE_KEY.length);
    if (valueAt !== -1) return { keyAt, valueAt };
    from = keyAt + USAGE_KEY.length;
  }
}
