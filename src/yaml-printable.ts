// Whether a text holds no character that js-yaml refuses in a plain or block
// scalar, nor one that no generated file can hold: one scan of the text
// that the load stage makes for both. js-yaml tested each scalar it read
// (PATTERN_NON_PRINTABLE in captureSegment, 320,000 regex calls for 10,000
// peers), and the load stage the whole text again for the characters of
// src/targets/xml/chars.ts: the bundle's js-yaml skips its tests when told
// the text has none (scripts/js-yaml-patch.mjs, printableInputPatch), and
// the load stage its own scan.
// Layer: load (imports nothing of gen).
import { Buffer } from 'node:buffer';

/**
 * Every character js-yaml's PATTERN_NON_PRINTABLE can match ([\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]
 * and either half of a surrogate pair), and every one src/targets/xml/chars.ts
 * looks at (its SUSPECT): a text without any has no match of either.
 */
export const NOT_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uD800-\uDFFF\uFFFE\uFFFF]/;
/** NOT_PRINTABLE's characters below U+0080 but DEL: a regex of one range below 0x20 scans twice as fast as NOT_PRINTABLE. */
const ASCII_CONTROL = /[\x00-\x08\x0B\x0C\x0E-\x1F]/;

/** Whether `text` has no character of NOT_PRINTABLE. */
export function printableText(text: string): boolean {
  // All ASCII (as many UTF-8 bytes as characters, counted in native code): of NOT_PRINTABLE, only the controls below 0x20 and DEL can be there.
  if (Buffer.byteLength(text, 'utf8') === text.length) return !ASCII_CONTROL.test(text) && !text.includes('\x7f');
  return !NOT_PRINTABLE.test(text);
}
