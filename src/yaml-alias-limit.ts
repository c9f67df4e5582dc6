// Where the `yaml` library stops expanding aliases ("Excessive alias
// count", the bound that keeps a "billion laughs" file from exhausting
// memory): it throws without naming the alias, so the loader replays its
// count to point at it. The count is the library's own
// (yaml/dist/nodes/Alias.js and toJS.js): an anchored node counts 1 when it
// is read, each alias of it one more, and an alias weighs as much as the
// aliases nested in what it names; past `limit`, the alias in hand fails.
// Layer: load (load.ts is its only user).
import { type Document, type Node, isAlias, isCollection, isPair, visit } from 'yaml';

/** The bound gen gives the `yaml` library. */
export const MAX_ALIAS_COUNT = 1000;

/** The offset of the alias at which the library gives up, or undefined when it would not. */
export function aliasPastLimit(doc: Document, limit = MAX_ALIAS_COUNT): number | undefined {
  const anchors = new Map<unknown, { count: number; aliasCount: number }>();
  const weight = (node: unknown): number => {
    if (isAlias(node)) {
      const anchor = anchors.get(node.resolve(doc));
      return anchor ? anchor.count * anchor.aliasCount : 0;
    }
    if (isCollection(node)) {
      let count = 0;
      for (const item of node.items) count = Math.max(count, weight(item));
      return count;
    }
    if (isPair(node)) return Math.max(weight(node.key), weight(node.value));
    return 1;
  };
  let found: number | undefined;
  visit(doc, (_, node) => {
    if (isAlias(node)) {
      const source = node.resolve(doc);
      const data = source && anchors.get(source);
      if (!data) return undefined;
      data.count += 1;
      if (data.aliasCount === 0) data.aliasCount = weight(source);
      if (data.count * data.aliasCount > limit) {
        found = node.range?.[0];
        return visit.BREAK;
      }
    } else if ((node as Node | null)?.anchor !== undefined && !isPair(node)) {
      anchors.set(node, { count: 1, aliasCount: 0 });
    }
    return undefined;
  });
  return found;
}
