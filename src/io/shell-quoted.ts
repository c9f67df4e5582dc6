// A path in a command a message or a generated project file names. Kept apart
// from the modules that use it so that a reader of input (read-input.ts) loads
// nothing else: secrets.ts, its other home, brings the atomic writer and crypto.

/** A path as one shell word, quoted only when it needs it (for the commands a message names). */
export function shellQuoted(path: string): string {
  return /^[A-Za-z0-9_./+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
