// Where the `yaml` library stops expanding aliases ("Excessive alias
// count", the bound that keeps a "billion laughs" file from exhausting
// memory): it throws without naming the alias, so the loader replays its
// count to point at it. The count is the library's own
// (yaml/dist/nodes/Alias.js and toJS.js): an anchored node counts 1 when it
// is read, each alias of it one more, and an alias weighs as much as the
// aliases nested in what it names; past `limit`, the alias in hand fails.
// Layer: load (load.ts is its only user).
import type { Alias, Document, Node } from 'yaml';
import { yamlLibrary } from './yaml-library.js';

/** The bound gen gives the `yaml` library. */
export const MAX_ALIAS_COUNT = 1000;

/** The offset of the alias at which the library gives up, or undefined when it would not. */
export function aliasPastLimit(doc: Document, limit = MAX_ALIAS_COUNT): number | undefined {
  const { isAlias, isCollection, isPair, visit } = yamlLibrary();
  const anchors = new Map<unknown, { count: number; aliasCount: number }>();
  // What each alias names: the last node before it, in document order, with
  // its anchor (what the library's Alias.resolve finds by walking the
  // document from its start, for each alias: 2,000 aliases took 5 s).
  const lastAnchored = new Map<string, Node>();
  const named = new Map<Alias, Node | undefined>();
  const target = (alias: Alias): unknown => (named.has(alias) ? named.get(alias) : alias.resolve(doc));
  const weight = (node: unknown): number => {
    if (isAlias(node)) {
      const anchor = anchors.get(target(node));
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
      const source = lastAnchored.get(node.source);
      named.set(node, source);
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
      lastAnchored.set((node as Node).anchor!, node as Node);
    }
    return undefined;
  });
  return found;
}

/** Where the first alias with no anchor before it starts (what the library's toJS refuses as "Unresolved alias"). */
export function unresolvedAlias(doc: Document): number | undefined {
  const { isAlias, isPair, visit } = yamlLibrary();
  const anchored = new Set<string>();
  let found: number | undefined;
  visit(doc, (_, node) => {
    if (isAlias(node)) {
      if (!anchored.has(node.source)) {
        found = node.range?.[0];
        return visit.BREAK;
      }
    } else if ((node as Node | null)?.anchor !== undefined && !isPair(node)) {
      anchored.add((node as Node).anchor!);
    }
    return undefined;
  });
  return found;
}
