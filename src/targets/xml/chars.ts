// Which characters an XML 1.0 document can hold at all: the escaping of
// every XML writer, the parser of a base config, and the load stage read
// this one definition. The load stage refuses these characters in every
// string of a topology, whatever target it reaches: none can write them (a
// lone surrogate has no UTF-8 form, so each encoder writes U+FFFD in its
// place; the others are control characters or noncharacters, not text).

// XML 1.0 Char production: tab, LF, CR and everything from U+0020 except
// surrogates and U+FFFE/U+FFFF. Anything else cannot be written at all.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// Cheap first look: only a string with a control character or a surrogate
// needs the exact (and much slower) test above.
const SUSPECT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Where the first character of `value` that XML cannot hold is (a UTF-16 index), or -1. */
export function forbiddenCharacterIndex(value: string): number {
  if (!SUSPECT.test(value)) return -1;
  return FORBIDDEN.exec(value)?.index ?? -1;
}

/** The first character of `value` that XML cannot hold, as U+XXXX; undefined when there is none. */
export function forbiddenCharacter(value: string): string | undefined {
  const at = forbiddenCharacterIndex(value);
  return at < 0 ? undefined : `U+${value.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** What a character forbiddenCharacter names (U+XXXX) is, in words. */
export function forbiddenKind(character: string): string {
  const code = Number.parseInt(character.slice(2), 16);
  if (code >= 0xd800 && code <= 0xdbff) return 'the first half of a surrogate pair without its second half';
  if (code >= 0xdc00 && code <= 0xdfff) return 'the second half of a surrogate pair without its first half';
  return code >= 0xfffe ? 'a noncharacter' : 'a control character';
}
