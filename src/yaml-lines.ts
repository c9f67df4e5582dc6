// The line of every mapping and list of a topology, as generated files cite
// it ("declared at topology.yaml:57", SourceLines.lineOf). A build renders
// with the model alive, and the model keeps this to the end: the loaded
// text, js-yaml's data and its map of lines (14 MB for 10,000 peers, ten
// times that for 100,000) stayed alive through the whole render when the
// model asked them. The tree below holds only the lines and the keys that
// lead to collections; a collection that holds none (a peer, a rule's port
// list) is its line alone.
// Layer: load (with load.ts, its only user).
import type { Path } from './location.js';

/** A collection's 1-based line, or that line with the collections it holds. */
export type LineNode = number | LineBranch;

interface LineBranch {
  line: number;
  /** A list's items: undefined where an item is a scalar. */
  items?: (LineNode | undefined)[];
  /** A mapping's one collection (a rule's ports), the commonest case: a third of the memory of a list of one pair. */
  key?: string;
  node?: LineNode;
  /** A mapping's keys of collections and their nodes, alternating, when it holds a few. */
  pairs?: (string | LineNode)[];
  /** The same, by key, for a mapping that holds many. */
  byKey?: Map<string, LineNode>;
}

/** Mappings with more collections than this are looked up through a Map; the fewer through a short list. */
const LISTED_PAIRS = 8;

/**
 * The tree of `data`'s collections, with the lines js-yaml noted as it
 * closed each (`closed`: a collection and its line, alternating, in the
 * order it closed them). With `copyStrings`, each string value long enough
 * to be a slice of js-yaml's input is replaced by a copy of its own, so
 * that the model's names and keys no longer hold that input alive (see
 * ownCopy).
 */
export function lineTreeOf(data: unknown, closed: readonly unknown[], copyStrings: boolean): LineNode {
  if (data === null || typeof data !== 'object') return 1;
  // js-yaml closes a collection after those it holds, in the order they are
  // written: a walk in that order reads each line at its place, without a
  // map from 500,000 collections (100,000 peers) to their lines, which took
  // a tenth of a second to fill and read. Where the data's order is not the
  // file's (an integer-like key comes first in an object), the map decides.
  let at = 0;
  let inOrder = true;
  const tree = treeOf(data, copyStrings, undefined, (value) => {
    if (closed[at] !== value) {
      inOrder = false;
      return 1;
    }
    let line = closed[at + 1] as number;
    at += 2;
    // A node js-yaml first read as a would-be key closes twice; the outer closing counts, as in a map.
    while (closed[at] === value) {
      line = closed[at + 1] as number;
      at += 2;
    }
    return line;
  });
  if (inOrder && at === closed.length) return tree;
  const lines = new Map<object, number>();
  for (let c = 0; c < closed.length; c += 2) lines.set(closed[c] as object, closed[c + 1] as number);
  // A collection not noted has the line of the one that holds it, as SourceMap.lineOf always answered.
  return treeOf(data, false, (value, inherited) => lines.get(value) ?? inherited, () => 0);
}

/**
 * The tree of `data`, each collection's line from `before` (given the line
 * of the collection that holds it) or, when that is undefined, from
 * `after`, asked once its collections have been walked.
 */
function treeOf(data: object, copyStrings: boolean, before: ((value: object, inherited: number) => number) | undefined, after: (value: object) => number): LineNode {
  // At most MAX_NESTING levels deep: the loader has checked the data's limits before.
  const nodeOf = (value: object, inherited: number): LineNode => {
    const first = before ? before(value, inherited) : 0;
    if (Array.isArray(value)) {
      let items: (LineNode | undefined)[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (item !== null && typeof item === 'object') (items ??= new Array<LineNode | undefined>(value.length))[i] = nodeOf(item, first);
        else if (copyStrings && typeof item === 'string' && item.length >= MIN_SLICED_LENGTH) value[i] = ownCopy(item);
      }
      const line = before ? first : after(value);
      return items ? { line, items } : line;
    }
    let pairs: (string | LineNode)[] | undefined;
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      const item = record[key];
      if (item !== null && typeof item === 'object') {
        const node = nodeOf(item, first);
        if (pairs) pairs.push(key, node);
        else pairs = [key, node];
      }
      // An own `__proto__` key (js-yaml defines it as one) cannot be assigned: it keeps its slice.
      else if (copyStrings && typeof item === 'string' && item.length >= MIN_SLICED_LENGTH && key !== '__proto__') record[key] = ownCopy(item);
    }
    const line = before ? first : after(value);
    if (!pairs) return line;
    if (pairs.length === 2) return { line, key: pairs[0] as string, node: pairs[1] as LineNode };
    // A copy of its exact size: push grows a list by half again and 16 more.
    if (pairs.length <= 2 * LISTED_PAIRS) return { line, pairs: pairs.slice() };
    const byKey = new Map<string, LineNode>();
    for (let p = 0; p < pairs.length; p += 2) byKey.set(pairs[p] as string, pairs[p + 1] as LineNode);
    return { line, byKey };
  };
  return nodeOf(data, 1);
}

/**
 * The line of the collection at `path`: a scalar counts as the collection
 * that holds it, a path that does not exist as the deepest collection on it
 * that does.
 */
export function lineIn(tree: LineNode, path: Path): number {
  let node = tree;
  let line = typeof tree === 'number' ? tree : tree.line;
  for (let i = 0; i < path.length; i++) {
    if (typeof node === 'number') break;
    const next = childOf(node, path[i]!);
    if (next === undefined) break;
    line = typeof next === 'number' ? next : next.line;
    node = next;
  }
  return line;
}

function childOf(branch: LineBranch, segment: string | number): LineNode | undefined {
  if (branch.items) {
    // As the data answered `list[segment]`: an index, or the text of one.
    const index = typeof segment === 'number' ? segment : Number(segment);
    if (typeof segment === 'string' && String(index) !== segment) return undefined;
    return Number.isInteger(index) && index >= 0 ? branch.items[index] : undefined;
  }
  const key = String(segment);
  if (branch.key !== undefined) return branch.key === key ? branch.node : undefined;
  if (branch.byKey) return branch.byKey.get(key);
  const pairs = branch.pairs!;
  for (let p = 0; p < pairs.length; p += 2) if (pairs[p] === key) return pairs[p + 1] as LineNode;
  return undefined;
}

/**
 * V8 makes a substring of 13 characters or more (SlicedString::kMinLength)
 * a view into the string it was cut from, and keeps that whole string alive
 * while the view lives; a shorter one is copied.
 */
const MIN_SLICED_LENGTH = 13;

/**
 * A copy of `text` that holds no other string. JSON's reading makes a new
 * flat string; `(' ' + text).slice(1)` makes a view into a new string one
 * longer (twice the memory of this), and String(text), `${text}` or
 * text.slice(0) answer `text` itself. A lone surrogate survives the round
 * trip (JSON.stringify writes it as an escape).
 */
function ownCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
