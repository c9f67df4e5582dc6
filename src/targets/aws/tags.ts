// What S3 and IAM take in a tag value: letters, spaces and numbers "that
// can be represented in UTF-8", and _ . : / = + - @ (AWS's API reference
// gives the pattern [\p{L}\p{Z}\p{N}_.:/=+\-@]*; EC2 takes any text). Which
// characters \p{L} and its kin match is the Unicode data of whatever runs
// the regex: on Node, that of its ICU, so a letter assigned in Unicode 16
// was kept on one Node 20 and became '_' on another. The set is frozen
// instead (tag-characters.ts, Unicode 14.0.0): the same on every machine,
// and one a service on an older Unicode still takes.
import { LETTERS_SEPARATORS_NUMBERS } from './tag-characters.js';

let refused: RegExp | undefined;

/** Every character a tag value cannot hold (built on first use: a class of some 700 ranges, which takes milliseconds to compile). */
function refusedCharacters(): RegExp {
  if (refused) return refused;
  const ranges = LETTERS_SEPARATORS_NUMBERS.split(',')
    .map((range) => range.split('-').map((hex) => `\\u{${hex}}`).join('-'))
    .join('');
  return (refused = new RegExp(`[^A-Za-z0-9 _.:/=+\\-@${ranges}]`, 'gu'));
}

/** Text of ASCII characters a tag value takes: most names, which then need no look at the large class. */
const PLAIN_ASCII = /^[A-Za-z0-9 _.:/=+\-@]*$/;

/** `text` as an S3 or IAM tag value: each character those refuse becomes '_'. */
export function tagValue(text: string): string {
  return PLAIN_ASCII.test(text) ? text : text.replace(refusedCharacters(), '_');
}
