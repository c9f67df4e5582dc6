// Names a model takes up to a number of characters (a mask such as
// /^.{1,255}$/u counts code points), where gen's name joins topology names
// that may together be longer: cut, and told apart from other names cut at
// the same place by a hash of the whole, so two never become one.
import { createHash } from 'node:crypto';

/** `name` in at most `max` characters: as it is when it fits, else its start and a hash of the whole. */
export function fitName(name: string, max: number): string {
  const chars = Array.from(name);
  if (chars.length <= max) return name;
  const suffix = `_${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
  return chars.slice(0, max - suffix.length).join('') + suffix;
}
