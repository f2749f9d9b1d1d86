// A canonical text form of a parsed JSON value: object keys sorted, no whitespace. Two bodies that differ only in key
// order or formatting have the same form; any difference in a value gives a different form.

/** Canonical JSON of `value` (as JSON.parse returns it), leaving out the top-level `omit` fields. */
export function canonicalJson(value: unknown, omit?: ReadonlySet<string>): string {
  const parts: string[] = [];
  write(value, parts, omit);
  return parts.join('');
}

function write(value: unknown, out: string[], omit: ReadonlySet<string> | undefined): void {
  if (value === null || typeof value !== 'object') {
    // JSON.stringify already gives one spelling per number (1.0 and 1 both parse to 1) and per string.
    out.push(value === undefined ? 'null' : JSON.stringify(value));
    return;
  }
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      write(value[i], out, undefined);
    }
    out.push(']');
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined && !omit?.has(k)).sort();
  out.push('{');
  keys.forEach((k, i) => {
    if (i > 0) out.push(',');
    out.push(JSON.stringify(k), ':');
    write(record[k], out, undefined);
  });
  out.push('}');
}
