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
// Layer: load (with load.ts, its only user).
import { load } from 'js-yaml';
import { lineLocator } from './io/data-limits.js';
import type { Path } from './location.js';
import { YAML12_CORE_SCHEMA } from './yaml-core-schema.js';

interface NodeRecord {
  /** Where js-yaml opened the node (the separation space before it comes first). */
  open: number;
  /** Where it closed: just past the node. */
  end: number;
  kind: 'scalar' | 'mapping' | 'sequence';
  result: unknown;
  children: NodeRecord[];
  /** A mapping's pairs by key, a sequence's items; filled once, by `shape`. */
  pairs?: Map<string, { key: NodeRecord; value: NodeRecord }>;
  items?: NodeRecord[];
  /** Where the node starts (past the separation space), found once: every path through it asks. */
  startsAt?: number;
}

/** Marks that make a reading ambiguous here: anchors and tags before a node, document markers and directives, a byte-order mark. */
const UNSUPPORTED = /(^|[\s[{,:-])[&!]|^(---|\.\.\.|%)|^\uFEFF/m;

export class NodePositions {
  private locator: ((offset: number) => { line: number; col: number }) | undefined;

  constructor(
    private readonly text: string,
    private readonly root: NodeRecord,
  ) {}

  /**
   * The offset `SourceMap.locate` reports for `path` (see there), or
   * undefined when this reading cannot say it exactly.
   */
  offsetOf(path: Path, key: boolean): number | undefined {
    let node = this.root;
    let offset = this.start(node);
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      const last = i === path.length - 1;
      let next: NodeRecord | undefined;
      if (node.kind === 'scalar') break;
      if (!this.shape(node)) return undefined;
      if (node.pairs) {
        const pair = node.pairs.get(String(segment));
        if (!pair) break;
        if (last && key) return this.start(pair.key);
        next = pair.value;
        // A block collection reads better at its key (as SourceMap.locate says).
        if (last && next.kind !== 'scalar' && !this.isFlow(next)) return this.start(pair.key);
      } else if (node.items && typeof segment === 'number') {
        next = node.items[segment];
      } else {
        break;
      }
      if (next === undefined) break;
      node = next;
      offset = this.start(node);
    }
    return offset;
  }

  /** 1-based line and column of an offset, as the `yaml` library's LineCounter counts them. */
  lineAndColumn(offset: number): { line: number; col: number } {
    this.locator ??= lineLocator(this.text);
    return this.locator(offset);
  }

  /**
   * Pairs a mapping's children into keys and values, and lists a sequence's
   * items; false when they do not match the data js-yaml built (a pair in a
   * flow sequence, a merge key, an empty value), so the caller falls back.
   */
  private shape(node: NodeRecord): boolean {
    if (node.pairs || node.items) return true;
    const children = node.children;
    if (node.kind === 'sequence') {
      if (!Array.isArray(node.result) || children.length !== node.result.length) return false;
      node.items = children;
      return true;
    }
    const pairs = new Map<string, { key: NodeRecord; value: NodeRecord }>();
    for (let k = 0; k < children.length; k++) {
      const key = children[k]!;
      const value = children[k + 1];
      if (key.kind !== 'scalar' || !colonFollows(this.text, key.end)) return false;
      // An empty value composes nothing: the `yaml` library places it where this reading cannot.
      if (value === undefined || colonFollows(this.text, value.end)) return false;
      pairs.set(String(key.result), { key, value });
      k++;
    }
    const result = node.result as object | null;
    if (result === null || typeof result !== 'object' || Object.keys(result).length !== pairs.size) return false;
    node.pairs = pairs;
    return true;
  }

  private start(node: NodeRecord): number {
    // Cached: a block of comments before a list was skipped again for each finding in it (8,000 findings under 160,000 comment lines took minutes).
    return (node.startsAt ??= skipSeparation(this.text, node.open));
  }

  private isFlow(node: NodeRecord): boolean {
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

/** Whether only blanks stand between `from` and a ':' on the same line. */
function colonFollows(text: string, from: number): boolean {
  let i = from;
  while (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09) i++;
  return text.charCodeAt(i) === 0x3a;
}

/** The positions of every node of `text`, or undefined when the file has what this reading leaves to the `yaml` library. */
export function positionsOf(text: string): NodePositions | undefined {
  if (UNSUPPORTED.test(text)) return undefined;
  const stack: NodeRecord[] = [];
  let root: NodeRecord | undefined;
  const listener = (event: 'open' | 'close', state: { position: number; kind: string | null; result: unknown }) => {
    if (event === 'open') {
      stack.push({ open: state.position, end: state.position, kind: 'scalar', result: undefined, children: [] });
      return;
    }
    let node = stack.pop()!;
    // A composition that found no node (the end of a mapping, an empty value) leaves no trace.
    if (state.kind === null) return;
    // js-yaml tries a block mapping before other nodes, composing a would-be
    // key; with no ':' after it, that node is kept as the whole one, and is
    // the only child: it stands for its parent.
    const only = node.children.length === 1 ? node.children[0]! : undefined;
    if (only && only.result === state.result && only.kind === state.kind) node = only;
    node.end = state.position;
    node.kind = state.kind as NodeRecord['kind'];
    node.result = state.result;
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else root = node;
  };
  try {
    load(text, { schema: YAML12_CORE_SCHEMA, listener });
  } catch {
    return undefined;
  }
  if (!root) return undefined;
  return new NodePositions(text, root);
}
