// Numbers gen reads from its environment (GEN_MAX_INPUT_BYTES,
// GEN_LOCK_WAIT_MS, GEN_DOT_TIMEOUT_MS). A value that is no such number is a
// usage error: taken as the default in silence, a mistyped limit ("16MiB",
// "10s") would run with another one than the user set. Unset or empty (as a
// CI template that clears a variable leaves it) is the default.
import { UsageError } from './errors.js';

/** A malformed number in the environment: the command line's mistake (exit 2), never a finding about a file. */
export class EnvironmentValueError extends UsageError {}

/** Digits only: no sign, exponent, fraction, hex or spaces, which Number() would take or read as 0. */
const DIGITS = /^[0-9]+$/;

/**
 * The environment variable `name` as a whole number of at least `least`, or
 * `fallback` when unset or empty. `what` says what the number is, for the
 * error ("a number of milliseconds").
 */
export function envWholeNumber(name: string, fallback: number, least: number, what: string): number {
  const given = process.env[name];
  if (given === undefined || given === '') return fallback;
  const value = DIGITS.test(given) ? Number(given) : NaN;
  if (!Number.isSafeInteger(value) || value < least) {
    throw new EnvironmentValueError(`${name} is ${JSON.stringify(given)}, not ${what} of at least ${least} written in digits (such as ${fallback}): correct it, or unset it for the default ${fallback}`);
  }
  return value;
}
