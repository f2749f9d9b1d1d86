// Credits as exact integers: 1 pico-credit = 1e-12 credit (1 credit = 1 USD of upstream list price).
// Parsing and formatting of credit amounts for the CLI, the admin API and reports.
import { DecimalError, decimalToScaledBigint, scaledBigintToDecimal } from './decimal.js';

export type Pico = bigint;

export const PICO_SCALE = 12;
export const PICO_PER_CREDIT: Pico = 1_000_000_000_000n;

/** Thrown for a credit amount that is malformed, negative, uses an exponent, or is finer than a pico-credit. */
export class MoneyFormatError extends Error {
  override readonly name = 'MoneyFormatError';
}

const PLAIN_DECIMAL = /^(?:\d+(?:\.\d+)?|\.\d+)$/;

/**
 * Parses a non-negative credit amount written as a plain decimal ("5", "12.5", "0.000001") into pico-credits.
 * Surrounding whitespace is ignored; signs, exponents and non-zero digits past the 12th decimal are refused.
 * @example parseCredits('12.5') // 12_500_000_000_000n
 */
export function parseCredits(text: string): Pico {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  if (!PLAIN_DECIMAL.test(trimmed)) {
    throw new MoneyFormatError(
      `invalid credit amount ${JSON.stringify(String(text).slice(0, 40))}: expected a non-negative decimal like "12.5"`,
    );
  }
  try {
    return decimalToScaledBigint(trimmed, PICO_SCALE);
  } catch (error) {
    if (error instanceof DecimalError) {
      throw new MoneyFormatError(`invalid credit amount "${trimmed.slice(0, 40)}": more precise than 1e-12 credit`);
    }
    throw error;
  }
}

/** Formats pico-credits as an exact decimal credit string: 12_500_000_000_000n -> "12.5", 0n -> "0", -500_000_000_000n -> "-0.5". */
export function formatCredits(amount: Pico): string {
  return scaledBigintToDecimal(amount, PICO_SCALE);
}
