// Deterministic JSON: two-space indent, LF, final newline. Key order is the
// order the model builds objects in, which does not depend on the YAML's
// mapping order.

type Replacer = (key: string, value: unknown) => unknown;

export function stableJson(value: unknown, replacer?: Replacer): string {
  return `${JSON.stringify(value, replacer as ((this: unknown, key: string, value: unknown) => unknown) | undefined, 2)}\n`;
}

/** About how many characters stableJsonParts hands over at a time. */
const PART = 1 << 16;
/** Values of fewer nodes than this are written by JSON.stringify whole. */
const SMALL = 128;
/** The most values of small items written by one JSON.stringify call. */
const BATCH = 1024;
const NEWLINE = /\n/g;

/**
 * The text of stableJson(value, replacer), handed to `part` a piece at a
 * time: plan.json of 100,000 peers is 187 MB, which as one string the
 * build held twice (JSON.stringify's pieces, then the flat copy that
 * encoding it made), long enough for the collector to move both to the
 * old generation. Arrays and objects of SMALL nodes or more are walked
 * here as JSON.stringify walks them (toJSON, then the replacer, then the
 * own enumerable keys; undefined, a function or a symbol is left out of an
 * object and null in an array); smaller values are left to JSON.stringify,
 * their lines indented to their depth (a JSON text has no raw newline in a
 * string). The replacer is called again to weigh a value: it must not
 * depend on how often it is called.
 */
export function stableJsonParts(value: unknown, replacer: Replacer | undefined, part: (text: string) => void): void {
  let buffer = '';
  const emit = (text: string): void => {
    buffer += text;
    if (buffer.length >= PART) {
      part(buffer);
      buffer = '';
    }
  };
  // A value handed to JSON.stringify has had the replacer already: its first call, for the root, returns it as it is.
  let root = false;
  // The items of a batch (below) have had it too, with their own array and index.
  let batch: unknown[] = [];
  const inner =
    replacer &&
    function (this: unknown, key: string, v: unknown): unknown {
      if (this === batch) return v;
      if (!root) return replacer.call(this, key, v);
      root = false;
      return v;
    };
  const resolved = (holder: object, key: string): unknown => {
    let v = (holder as Record<string, unknown>)[key];
    if ((typeof v === 'object' && v !== null) || typeof v === 'bigint') {
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') v = (toJSON as (key: string) => unknown).call(v, key);
    }
    return replacer ? replacer.call(holder, key, v) : v;
  };
  const walking = new Set<object>();
  let weight = 0;
  /** Writes the items in `batch` as the next items of an array at `indent` (the first ones when `first`), and empties it. */
  const flush = (first: boolean, indent: string): void => {
    if (batch.length === 0) return;
    root = true;
    const text = JSON.stringify(batch, inner, 2).replace(NEWLINE, `\n${indent}`);
    root = false;
    // "[", the items one level deeper than `indent`, then "\n" + indent + "]", which the array's own end writes.
    emit((first ? '[' : ',') + text.slice(1, text.length - indent.length - 2));
    batch = [];
    weight = 0;
  };
  const write = (v: unknown, indent: string): void => {
    if (v === null || typeof v !== 'object' || isWrapper(v)) return emit(JSON.stringify(v));
    if (typeof (v as { toJSON?: unknown }).toJSON !== 'function' && nodeCount(v, SMALL, replacer) < SMALL) {
      root = true;
      const text = JSON.stringify(v, inner, 2);
      root = false;
      return emit(indent === '' ? text : text.replace(NEWLINE, `\n${indent}`));
    }
    if (walking.has(v)) throw new TypeError('Converting circular structure to JSON');
    walking.add(v);
    const deeper = `${indent}  `;
    if (Array.isArray(v)) {
      if (v.length === 0) emit('[]');
      // Small items go to JSON.stringify a batch at a time: one call and
      // one pass to indent for some hundred peers or rules, not one each.
      let start = 0;
      for (let i = 0; i < v.length; i++) {
        const item = resolved(v, String(i));
        const small = item === null || typeof item !== 'object' ? 1 : typeof (item as { toJSON?: unknown }).toJSON === 'function' ? SMALL : nodeCount(item, SMALL, replacer);
        if (small < SMALL && weight + small <= BATCH) {
          if (batch.length === 0) start = i;
          batch.push(item);
          weight += small;
          continue;
        }
        flush(start === 0, indent);
        if (small < SMALL) {
          start = i;
          batch.push(item);
          weight = small;
          continue;
        }
        emit(i === 0 ? `[\n${deeper}` : `,\n${deeper}`);
        write(item, deeper);
      }
      flush(start === 0, indent);
      if (v.length > 0) emit(`\n${indent}]`);
    } else {
      let first = true;
      for (const key of Object.keys(v)) {
        const member = resolved(v, key);
        if (omitted(member)) continue;
        emit(`${first ? '{\n' : ',\n'}${deeper}${JSON.stringify(key)}: `);
        first = false;
        write(member, deeper);
      }
      emit(first ? '{}' : `\n${indent}}`);
    }
    walking.delete(v);
  };
  const top = resolved({ '': value }, '');
  if (omitted(top)) throw new TypeError('stableJsonParts: the value has no JSON text');
  write(top, '');
  part(`${buffer}\n`);
}

/** What JSON.stringify leaves out of an object. */
function omitted(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/** A Number, String, Boolean or BigInt object, which JSON.stringify writes as its primitive. */
function isWrapper(v: object): boolean {
  return v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof BigInt;
}

/**
 * How many values `value` holds, itself included, counted up to `budget`
 * (a cycle, too) and without what `replacer` leaves out. A loop over a
 * stack with for-in, which makes no array of keys: the count visits every
 * value the plan holds once.
 */
function nodeCount(value: object, budget: number, replacer: Replacer | undefined): number {
  const stack: unknown[] = [value];
  let count = 0;
  while (stack.length > 0) {
    const v = stack.pop();
    if (++count >= budget) return budget;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
    } else {
      // What the replacer leaves out is not counted: a rule of the model names its zones' members, which the plan omits.
      for (const key in v) stack.push(replacer ? replacer.call(v, key, (v as Record<string, unknown>)[key]) : (v as Record<string, unknown>)[key]);
    }
  }
  return count;
}
