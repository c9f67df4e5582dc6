// Names a model takes up to a number of characters (a mask such as
// /^.{1,255}$/u counts code points), where gen's name joins topology names
// that may together be longer: cut, and told apart from other names cut at
// the same place by a hash of the whole, so two never become one. The hash
// is FNV-1a (32 bits, as many as eight hex digits of SHA-256 give), not
// node:crypto's: lint resolves these names too (resolve/haproxy.ts), and
// loading node:crypto would bring node:stream into every lint.

/** FNV-1a over the UTF-8 bytes of `text`, as eight hex digits. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** `name` in at most `max` characters: as it is when it fits, else its start and a hash of the whole. */
export function fitName(name: string, max: number): string {
  const chars = Array.from(name);
  if (chars.length <= max) return name;
  const suffix = `_${fnv1a(name)}`;
  return chars.slice(0, max - suffix.length).join('') + suffix;
}
