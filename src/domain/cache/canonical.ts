// A canonical text form of a parsed JSON value: object keys sorted, no whitespace. Two bodies that differ only in key
// order or formatting have the same form; any difference in a value gives a different form.

/** Canonical JSON of `value` (as JSON.parse returns it), leaving out the top-level `omit` fields. */
export function canonicalJson(value: unknown, omit?: ReadonlySet<string>): string {
  return write(value, omit);
}

function write(value: unknown, omit: ReadonlySet<string> | undefined): string {
  // JSON.stringify gives one spelling per number (1.0 and 1 both parse to 1) and per string.
  if (value === null || typeof value !== 'object') return value === undefined ? 'null' : JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += write(value[i], undefined);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = record[k];
    if (v === undefined || omit?.has(k)) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(k)}:${write(v, undefined)}`;
  }
  return `${out}}`;
}
