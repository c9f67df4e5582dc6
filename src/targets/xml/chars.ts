// Which characters an XML 1.0 document can hold at all: the escaping of
// every XML writer, the lint rule on topology text that ends up in XML, and
// the parser of a base config read this one definition.

// XML 1.0 Char production: tab, LF, CR and everything from U+0020 except
// surrogates and U+FFFE/U+FFFF. Anything else cannot be written at all.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// Cheap first look: only a string with a control character or a surrogate
// needs the exact (and much slower) test above.
const SUSPECT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

export function forbiddenCharacter(value: string): string | undefined {
  if (!SUSPECT.test(value)) return undefined;
  const match = FORBIDDEN.exec(value);
  return match ? `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}
