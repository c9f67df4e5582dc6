// One order for names and text in everything gen writes: by UTF-16 code
// unit, as `<` compares strings. String.prototype.localeCompare orders by
// the collation of ICU's default locale, which follows LC_ALL, LC_MESSAGES
// and LANG: under et_EE "z" comes before "t", and the same topology gave
// another out/ on a machine set to Estonian.

/** Negative, zero or positive as `a` comes before, with or after `b` (code-unit order). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
