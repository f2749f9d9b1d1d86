// Exact conversions between decimal strings and scaled integers (value × 10^scale as a bigint).
// Floats enter money only here, through their shortest round-trip decimal, never by multiplication.

/** Thrown when a decimal string is malformed or its value is not exact at the requested scale. */
export class DecimalError extends Error {
  override readonly name = 'DecimalError';
}

const DECIMAL = /^(-)?(?:(\d+)(?:\.(\d+))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const MAX_TEXT_LENGTH = 1000;
/** Largest power of ten a result may carry beyond its written digits; bounds work on inputs like "1e999999". */
const MAX_SHIFT = 1000;

/**
 * Converts an exact decimal (`"12.5"`, `"-0.25"`, `".5"`, `"2.5e-06"`) to an integer at 10^scale.
 * Throws DecimalError when the text is not a decimal or the value has a non-zero digit below 10^-scale.
 * @example decimalToScaledBigint('2.5e-06', 12) // 2_500_000n
 */
export function decimalToScaledBigint(text: string, scale: number): bigint {
  if (!Number.isSafeInteger(scale) || scale < 0) throw new RangeError(`scale must be a non-negative integer, got ${scale}`);
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT_LENGTH) {
    throw new DecimalError(`not a decimal number: ${JSON.stringify(String(text).slice(0, 40))}`);
  }
  const match = DECIMAL.exec(text);
  if (match === null) throw new DecimalError(`not a decimal number: ${JSON.stringify(text.slice(0, 40))}`);
  const [, minus, intPart = '', fracPart = '', bareFrac = '', expPart] = match;
  const fraction = fracPart + bareFrac;
  const digits = (intPart + fraction).replace(/^0+/, '');
  if (digits === '') return 0n;
  const exponent = expPart === undefined ? 0 : Number(expPart);
  // The value is digits × 10^shift at the requested scale.
  const shift = exponent - fraction.length + scale;
  if (!Number.isSafeInteger(shift) || shift > MAX_SHIFT) throw new DecimalError(`decimal out of range: ${text.slice(0, 40)}`);
  let magnitude: bigint;
  if (shift >= 0) {
    magnitude = BigInt(digits) * 10n ** BigInt(shift);
  } else {
    const cut = -shift;
    const dropped = digits.slice(Math.max(0, digits.length - cut));
    if (cut > digits.length || /[1-9]/.test(dropped)) {
      throw new DecimalError(`${text} is not exact at 10^-${scale}`);
    }
    magnitude = BigInt(digits.slice(0, digits.length - cut));
  }
  return minus === undefined ? magnitude : -magnitude;
}

/**
 * Writes `value / 10^scale` as an exact decimal string without trailing zeros or exponent.
 * @example scaledBigintToDecimal(12_500_000_000_000n, 12) // "12.5"
 */
export function scaledBigintToDecimal(value: bigint, scale: number): string {
  if (!Number.isSafeInteger(scale) || scale < 0) throw new RangeError(`scale must be a non-negative integer, got ${scale}`);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/**
 * The shortest decimal that round-trips to `n` (JavaScript's own Number-to-string), written without an
 * exponent: 2.5e-6 -> "0.0000025", 1e21 -> "1000000000000000000000". Throws RangeError for NaN and ±Infinity.
 */
export function numberToDecimalString(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  if (Object.is(n, -0)) return '0';
  const text = String(n);
  const exp = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (exp === null) return text;
  const [, sign = '', lead = '', rest = '', power = '0'] = exp;
  const digits = lead + rest;
  // Position of the decimal point counted from the start of `digits`.
  const point = 1 + Number(power);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
