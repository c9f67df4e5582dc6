// Where each node of a topology starts, read by js-yaml: what a finding
// needs to name its line and column. The `yaml` library's document has the
// same positions, but building it took seven times as long as the whole
// load, and any finding (one misspelt key in a 10,000-peer file) paid for
// it. js-yaml reports each node it composes as it opens and closes it; the
// node starts at the first character after the separation space (blanks,
// line breaks, comments) that follows its opening. Keys are nodes too, and
// a key is the node that a ':' follows.
//
// Anything this reading does not pin down exactly (anchors, tags, document
// markers, a byte-order mark, an empty value, a pair inside a flow
// sequence, a count of children that does not match the data) makes
// `positionsOf` answer undefined, and the caller asks the `yaml` library.
// test/core/yaml-readers.test.ts holds the two readers to the same
// answer for every node of the reference topologies and of crafted files.
// They also place `# gen-ignore` comments (src/suppress/comments.ts).
// Layer: load (with load.ts and suppress/comments.ts, its only users).
import { load } from 'js-yaml';
import { firstAtOrAfter } from './arrays.js';
import { lineLocator } from './io/data-limits.js';
import type { Path } from './location.js';
import { YAML12_CORE_SCHEMA } from './yaml-core-schema.js';

/** A node's kind, as js-yaml names it, by number in the node tables. */
const SCALAR = 0;
const MAPPING = 1;
const SEQUENCE = 2;
const KINDS: Readonly<Record<string, number>> = { scalar: SCALAR, mapping: MAPPING, sequence: SEQUENCE };

/**
 * Every node js-yaml composed, by number, in typed arrays: an object and a
 * list of children for each of the 400,000 nodes of a 10,000-peer topology
 * took longer to make (and collect) than js-yaml took to read the file.
 * Children are linked, first to last; a mapping's pairs and a sequence's
 * items are made only for the nodes a finding's path goes through.
 */
class NodeTables {
  count = 0;
  /** Where js-yaml opened the node (the separation space before it comes first). */
  open: Int32Array;
  /** Where it closed: just past the node. */
  end: Int32Array;
  kind: Uint8Array;
  firstChild: Int32Array;
  lastChild: Int32Array;
  nextSibling: Int32Array;
  children: Int32Array;
  /** What js-yaml built for the node. */
  readonly result: unknown[] = [];

  constructor(capacity: number) {
    this.open = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.firstChild = new Int32Array(capacity);
    this.lastChild = new Int32Array(capacity);
    this.nextSibling = new Int32Array(capacity);
    this.children = new Int32Array(capacity);
  }

  /** A new node opened at `position`, with no children yet. */
  add(position: number): number {
    if (this.count === this.open.length) this.grow();
    const id = this.count++;
    this.open[id] = position;
    this.firstChild[id] = -1;
    this.lastChild[id] = -1;
    this.children[id] = 0;
    // In order, at the end: the list stays one block, however late the node closes.
    this.result[id] = undefined;
    return id;
  }

  /** Makes `child` the last child of `parent`. */
  append(parent: number, child: number): void {
    this.nextSibling[child] = -1;
    const last = this.lastChild[parent]!;
    if (last < 0) this.firstChild[parent] = child;
    else this.nextSibling[last] = child;
    this.lastChild[parent] = child;
    this.children[parent]!++;
  }

  /** The children of `node`, first to last. */
  childrenOf(node: number): number[] {
    const list = new Array<number>(this.children[node]!);
    for (let c = this.firstChild[node]!, i = 0; c >= 0; c = this.nextSibling[c]!) list[i++] = c;
    return list;
  }

  private grow(): void {
    const size = this.open.length * 2;
    const larger = <T extends Int32Array | Uint8Array>(table: T): T => {
      const copy = new (table.constructor as new (n: number) => T)(size);
      copy.set(table);
      return copy;
    };
    this.open = larger(this.open);
    this.end = larger(this.end);
    this.kind = larger(this.kind);
    this.firstChild = larger(this.firstChild);
    this.lastChild = larger(this.lastChild);
    this.nextSibling = larger(this.nextSibling);
    this.children = larger(this.children);
  }
}

/** A mapping's pairs by key (key and value node), or a sequence's item nodes. */
type Shape = { pairs: Map<string, { key: number; value: number }> } | { items: number[] };

/** Marks that make a reading ambiguous here: anchors and tags before a node, document markers and directives, a byte-order mark. */
const UNSUPPORTED = /(^|[\s[{,:-])[&!]|^(---|\.\.\.|%)|^\uFEFF/m;

export class NodePositions {
  private locator: ((offset: number) => { line: number; col: number }) | undefined;
  /** The pairs or items of each node a path went through; null where they do not match the data. */
  private readonly shapes = new Map<number, Shape | null>();
  /** Where each node starts (past the separation space), found once: every path through it asks; -1 until asked. */
  private readonly startsAt: Int32Array;

  constructor(
    private readonly text: string,
    private readonly nodes: NodeTables,
    private readonly root: number,
  ) {
    this.startsAt = new Int32Array(nodes.count).fill(-1);
  }

  /**
   * The offset `SourceMap.locate` reports for `path` (see there), or
   * undefined when this reading cannot say it exactly.
   */
  offsetOf(path: Path, key: boolean): number | undefined {
    const kind = this.nodes.kind;
    let node = this.root;
    let offset = this.start(node);
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      const last = i === path.length - 1;
      let next: number | undefined;
      if (kind[node] === SCALAR) break;
      const shape = this.shape(node);
      if (!shape) return undefined;
      if ('pairs' in shape) {
        const pair = shape.pairs.get(String(segment));
        if (!pair) break;
        if (last && key) return this.start(pair.key);
        next = pair.value;
        // A block collection reads better at its key (as SourceMap.locate says).
        if (last && kind[next] !== SCALAR && !this.isFlow(next)) return this.start(pair.key);
      } else if (typeof segment === 'number') {
        next = shape.items[segment];
      } else {
        break;
      }
      if (next === undefined) break;
      node = next;
      offset = this.start(node);
    }
    return offset;
  }

  /**
   * Where the plain (unquoted) scalar at exactly `path` is written: from its
   * first character to its last, a multi-line one included. Null where no
   * node is there or it is no plain scalar (quoted, a block scalar, a
   * collection); undefined when this reading cannot say.
   */
  plainScalarRange(path: Path): [number, number] | null | undefined {
    const { kind, end } = this.nodes;
    let node = this.root;
    for (let i = 0; i < path.length; i++) {
      if (kind[node] === SCALAR) return null;
      const shape = this.shape(node);
      if (!shape) return undefined;
      const segment = path[i]!;
      let next: number | undefined;
      if ('pairs' in shape) {
        // The `yaml` library finds a key by its value: a number names no key that a string does, and back.
        if (typeof segment !== 'string') return undefined;
        const pair = shape.pairs.get(segment);
        if (pair && typeof this.nodes.result[pair.key] !== 'string') return undefined;
        next = pair?.value;
      } else {
        // It also reads "3" as an item's index.
        if (typeof segment !== 'number') return undefined;
        next = shape.items[segment];
      }
      if (next === undefined) return null;
      node = next;
    }
    if (kind[node] !== SCALAR) return null;
    const start = this.start(node);
    const first = this.text[start];
    if (first === '"' || first === "'" || first === '|' || first === '>') return null;
    // js-yaml closes a plain scalar where its reading stopped: past the blanks before a comment, a ':' or a flow indicator.
    let last = end[node]!;
    while (last > start && isBlank(this.text.charCodeAt(last - 1))) last--;
    return [start, last];
  }

  /**
   * Of the offsets given (ascending), which lie inside a scalar as written:
   * a '#' there is text, not a comment. A block scalar's header line is not
   * inside it (`key: | # note`). Only the nodes around an offset are visited.
   */
  insideScalars(offsets: readonly number[]): boolean[] {
    const { kind, end } = this.nodes;
    const inside = offsets.map(() => false);
    const stack = [this.root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (kind[node] !== SCALAR) {
        const k = firstAtOrAfter(offsets, this.nodes.open[node]!);
        if (k < offsets.length && offsets[k]! < end[node]!) {
          for (let c = this.nodes.firstChild[node]!; c >= 0; c = this.nodes.nextSibling[c]!) stack.push(c);
        }
        continue;
      }
      let from = this.start(node);
      const first = this.text[from];
      if (first === '|' || first === '>') {
        const eol = this.text.indexOf('\n', from);
        from = eol < 0 ? end[node]! : eol + 1;
      }
      for (let k = firstAtOrAfter(offsets, from); k < offsets.length && offsets[k]! < end[node]!; k++) inside[k] = true;
    }
    return inside;
  }

  /**
   * For each of the lines given (1-based, ascending), the last line of the
   * largest node or pair that starts on it, read as src/suppress/comments.ts
   * reads the `yaml` library's document (a block collection counts only as
   * an item of a list); undefined where this reading cannot say (a mapping
   * whose pairs do not match the data). Only the nodes around those lines
   * are visited.
   */
  lineExtents(lines: readonly number[]): Map<number, number> | undefined {
    const { kind, end } = this.nodes;
    const line = (offset: number) => this.lineAndColumn(offset).line;
    const extents = new Map<number, number>();
    // Whether the node or pair that starts at `start` and ends with `node` was noted (false only where this reading cannot say).
    const note = (start: number, node: number): boolean => {
      const from = line(start);
      const k = firstAtOrAfter(lines, from);
      if (k === lines.length || lines[k] !== from) return true;
      const stop = this.rangeEnd(node);
      if (stop === undefined) return false;
      extents.set(from, Math.max(extents.get(from) ?? from, line(Math.max(start, stop - 1))));
      return true;
    };
    // Nodes with whether their parent is a sequence.
    const stack: [number, boolean][] = [[this.root, false]];
    while (stack.length > 0) {
      const [node, inList] = stack.pop()!;
      const k = firstAtOrAfter(lines, line(this.nodes.open[node]!));
      if (k === lines.length || lines[k]! > line(end[node]!)) continue;
      if ((kind[node] === SCALAR || this.isFlow(node) || inList) && !note(this.start(node), node)) return undefined;
      if (kind[node] === SCALAR) continue;
      const shape = this.shape(node);
      if (!shape) return undefined;
      if ('pairs' in shape) {
        for (const { key, value } of shape.pairs.values()) {
          if (!note(this.start(key), value)) return undefined;
          stack.push([key, false], [value, false]);
        }
      } else {
        for (const item of shape.items) stack.push([item, true]);
      }
    }
    return extents;
  }

  /** The end of a node's value as the `yaml` library has it (its range[1]); undefined where this reading cannot say. */
  private rangeEnd(node: number): number | undefined {
    return this.nodes.kind[node] === SCALAR || this.isFlow(node) ? this.valueEnd(node) : this.blockValueEnd(node);
  }

  /** Where the `yaml` library ends a node's value: past a scalar's last character or a flow collection's bracket; a block collection ends with its last item. */
  private valueEnd(node: number): number | undefined {
    const { kind, end } = this.nodes;
    for (;;) {
      if (kind[node] === SCALAR) {
        const start = this.start(node);
        const first = this.text[start];
        if (first === '"' || first === "'") return end[node]!;
        if (first === '|' || first === '>') return this.blockScalarEnd(start, end[node]!);
        let last = end[node]!;
        while (last > start && isBlank(this.text.charCodeAt(last - 1))) last--;
        return last;
      }
      if (this.isFlow(node) || this.nodes.lastChild[node]! < 0) return end[node]!;
      node = this.nodes.lastChild[node]!;
    }
  }

  /**
   * Where the `yaml` library's lexer ends a block scalar (parseBlockScalar
   * in yaml/dist/parse/lexer.js): after the line break of its last line,
   * where js-yaml stopped; without `+`, before the blank lines at its end
   * that are no more indented than its first line of text. Undefined where
   * a tab follows (that lexer takes such lines in, to report them).
   */
  private blockScalarEnd(start: number, stop: number): number | undefined {
    const { text } = this;
    const body = text.indexOf('\n', start) + 1;
    if (body === 0) return text.length;
    let nl = stop >= text.length && !text.endsWith('\n') ? text.length : text.lastIndexOf('\n', stop - 1);
    let i = nl + 1;
    while (text[i] === ' ') i++;
    if (text[i] === '\t') return undefined;
    if (/^.[1-9-]?\+/.test(text.slice(start, start + 3))) return nl + 1;
    let indent = 0;
    for (let k = body; k < text.length && (text[k] === ' ' || text[k] === '\n' || (text[k] === '\r' && text[k + 1] === '\n')); k++) indent = text[k] === ' ' ? indent + 1 : text[k] === '\n' ? 0 : indent;
    for (;;) {
      let k = nl - 1;
      if (text[k] === '\r') k--;
      const lastChar = k;
      while (text[k] === ' ') k--;
      if (text[k] === '\n' && k >= body && k + 1 + indent > lastChar) nl = k;
      else break;
    }
    return nl + 1;
  }

  /**
   * Where the `yaml` library ends a block collection's value: with its last
   * item, unless comment lines follow it. Those it gives to the last item or
   * to a collection on the way by their indentation, and ends the value
   * after the ones it gave inside: undefined there, for the caller to ask it.
   */
  private blockValueEnd(node: number): number | undefined {
    const last = this.valueEnd(node);
    if (last === undefined) return undefined;
    // A block scalar ends past its line break: the next line starts there.
    const first = this.text[last - 1] === '\n' ? last - 1 : this.text.indexOf('\n', last);
    for (let eol = first; eol >= 0; eol = this.text.indexOf('\n', eol + 1)) {
      let i = eol + 1;
      while (this.text.charCodeAt(i) === 0x20 || this.text.charCodeAt(i) === 0x09) i++;
      const c = this.text.charCodeAt(i);
      if (c === 0x23) return undefined;
      if (c !== 0x0a && c !== 0x0d) break;
      eol = i - 1;
    }
    return last;
  }

  /** 1-based line and column of an offset, as the `yaml` library's LineCounter counts them. */
  lineAndColumn(offset: number): { line: number; col: number } {
    this.locator ??= lineLocator(this.text);
    return this.locator(offset);
  }

  /**
   * Pairs a mapping's children into keys and values, and lists a sequence's
   * items; null when they do not match the data js-yaml built (a pair in a
   * flow sequence, a merge key, an empty value), so the caller falls back.
   */
  private shape(node: number): Shape | null {
    let shape = this.shapes.get(node);
    if (shape === undefined) this.shapes.set(node, (shape = this.shapeOf(node)));
    return shape;
  }

  private shapeOf(node: number): Shape | null {
    const { nodes } = this;
    const children = nodes.childrenOf(node);
    const result = nodes.result[node];
    if (nodes.kind[node] === SEQUENCE) return Array.isArray(result) && children.length === result.length ? { items: children } : null;
    const pairs = new Map<string, { key: number; value: number }>();
    for (let k = 0; k < children.length; k++) {
      const key = children[k]!;
      const value = children[k + 1];
      if (nodes.kind[key] !== SCALAR || !colonFollows(this.text, nodes.end[key]!)) return null;
      // An empty value composes nothing: the `yaml` library places it where this reading cannot.
      if (value === undefined || colonFollows(this.text, nodes.end[value]!)) return null;
      pairs.set(String(nodes.result[key]), { key, value });
      k++;
    }
    if (result === null || typeof result !== 'object' || Object.keys(result).length !== pairs.size) return null;
    return { pairs };
  }

  private start(node: number): number {
    // Cached: a block of comments before a list was skipped again for each finding in it (8,000 findings under 160,000 comment lines took minutes).
    let at = this.startsAt[node]!;
    if (at < 0) this.startsAt[node] = at = skipSeparation(this.text, this.nodes.open[node]!);
    return at;
  }

  private isFlow(node: number): boolean {
    const c = this.text[this.start(node)];
    return c === '[' || c === '{';
  }
}

/** Past blanks, line breaks and comments (a '#' that starts a line or follows a blank). */
function skipSeparation(text: string, from: number): number {
  let i = from;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else if (c === 0x23 && (i === 0 || /\s/.test(text[i - 1]!))) {
      const eol = text.indexOf('\n', i);
      if (eol < 0) return text.length;
      i = eol;
    } else return i;
  }
}

/** A space, a tab or a line break. */
function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** Whether only blanks stand between `from` and a ':' on the same line. */
function colonFollows(text: string, from: number): boolean {
  let i = from;
  while (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09) i++;
  return text.charCodeAt(i) === 0x3a;
}

/** The positions of every node of `text`, or undefined when the file has what this reading leaves to the `yaml` library. */
export function positionsOf(text: string): NodePositions | undefined {
  if (UNSUPPORTED.test(text)) return undefined;
  // About one node per eight characters in a topology; the tables double when that is too few.
  const nodes = new NodeTables(16 + (text.length >> 3));
  // The nodes open around the one js-yaml is reading, innermost last (numbers, set by index: no list grows per node).
  const stack: number[] = [];
  let depth = 0;
  let root = -1;
  const listener = (event: 'open' | 'close', state: { position: number; kind: string | null; result: unknown }) => {
    if (event === 'open') {
      stack[depth++] = nodes.add(state.position);
      return;
    }
    let node = stack[--depth]!;
    // A composition that found no node (the end of a mapping, an empty value) leaves no trace.
    if (state.kind === null) return;
    const kind = KINDS[state.kind]!;
    // js-yaml tries a block mapping before other nodes, composing a would-be
    // key; with no ':' after it, that node is kept as the whole one, and is
    // the only child: it stands for its parent.
    if (nodes.children[node] === 1) {
      const only = nodes.firstChild[node]!;
      if (nodes.result[only] === state.result && nodes.kind[only] === kind) node = only;
    }
    nodes.end[node] = state.position;
    nodes.kind[node] = kind;
    nodes.result[node] = state.result;
    if (depth > 0) nodes.append(stack[depth - 1]!, node);
    else root = node;
  };
  try {
    load(text, { schema: YAML12_CORE_SCHEMA, listener });
  } catch {
    return undefined;
  }
  if (root < 0) return undefined;
  return new NodePositions(text, nodes, root);
}
