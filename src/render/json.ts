// Deterministic JSON: two-space indent, LF, final newline. Key order is the
// order the model builds objects in, which does not depend on the YAML's
// mapping order.

import { TextParts } from './parts.js';

type Replacer = (key: string, value: unknown) => unknown;

export function stableJson(value: unknown, replacer?: Replacer): string {
  return `${JSON.stringify(value, replacer as ((this: unknown, key: string, value: unknown) => unknown) | undefined, 2)}\n`;
}

/**
 * The text of stableJson(value, replacer), handed to `part` a piece at a
 * time: plan.json of 100,000 peers is 187 MB, which as one string the
 * build held twice (JSON.stringify's pieces, then the flat copy that
 * encoding it made), long enough for the collector to move both to the
 * old generation. The walk is JSON.stringify's own (toJSON, then the
 * replacer, called once per member with its holder as `this`, then the
 * own enumerable keys; undefined, a function or a symbol is left out of an
 * object and null in an array; a member omitting() leaves out is not read),
 * written here for every value: handing small values to JSON.stringify
 * meant weighing each first (a second walk, calling the replacer again)
 * and indenting its text again (a copy), most of the time plan.json took.
 * Strings that need an escape and wrapper objects are still JSON.stringify's.
 */
export function stableJsonParts(value: unknown, replacer: Replacer | undefined, part: (text: string) => void): void {
  const out = new TextParts(part);
  // A line break and the indentation of each depth, made once; so are the brackets and commas around them.
  const indents: string[] = [];
  const indent = (depth: number): string => (indents[depth] ??= `\n${'  '.repeat(depth)}`);
  // An element's or member's start comes also with the opening quote of a string that needs no escape:
  // the string is then the next piece, its closing quote the one after (not a quoted copy of it).
  const elementStarts: Starts[] = [];
  const ends: [array: string, object: string][] = [];
  // A replacer made by omitting() is its set of keys, looked up here without a call; an array's
  // element then needs no key (String(i)) when no key of the set names an index.
  const omits = replacer === undefined ? undefined : OMITTED.get(replacer);
  const call = omits === undefined ? replacer : undefined;
  const indexKeys = omits === undefined || [...omits].some(isIndex);
  // Each member's start as written at a depth (after the brace or a comma: line break, indentation,
  // "key": ), or null for a key omitting() leaves out: one lookup per member, the key's text and the
  // set consulted once per key and depth. The plan's thousands of peers and rules share a few dozen keys,
  // and each start is one piece of the text rather than three to join.
  const memberStarts: Map<string, Starts | null>[] = [];
  const memberStart = (known: Map<string, Starts | null>, key: string, depth: number): Starts | null => {
    let start = known.get(key);
    if (start === undefined) known.set(key, (start = omits !== undefined && omits.has(key) ? null : starts('{', `${indent(depth + 1)}${JSON.stringify(key)}: `)));
    return start;
  };
  // A value as its toJSON gives it, called with its key (an array's index as a string, made only then).
  const jsonValue = (v: unknown, key: string | number): unknown => {
    if ((typeof v === 'object' && v !== null) || typeof v === 'bigint') {
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return (toJSON as (key: string) => unknown).call(v, String(key));
    }
    return v;
  };
  const resolved = (holder: object, key: string, value: unknown): unknown => {
    const v = jsonValue(value, key);
    if (call) return call.call(holder, key, v);
    return omits !== undefined && omits.has(key) ? undefined : v;
  };
  // The arrays and objects being written, by depth: a value met again among them is a cycle. JSON.stringify
  // keeps such a stack too; a set of them gave each of the plan's objects an identity hash to look it up.
  const open: object[] = [];
  const write = (v: unknown, depth: number): void => {
    // The common values without a call: JSON.stringify has the rest, and every string it would escape.
    if (typeof v === 'string' && !ESCAPED.test(v)) {
      out.add(`"${v}"`);
      return;
    }
    if (typeof v === 'number') {
      out.add(Number.isFinite(v) ? String(v) : 'null');
      return;
    }
    if (typeof v === 'boolean') {
      out.add(v ? 'true' : 'false');
      return;
    }
    if (v === null || typeof v !== 'object' || isWrapper(v)) {
      out.add(JSON.stringify(v));
      return;
    }
    for (let d = 0; d < depth; d++) if (open[d] === v) throw new TypeError('Converting circular structure to JSON');
    // Only the depths above are read: what is left at deeper ones from an earlier value is written over.
    open[depth] = v;
    if (Array.isArray(v)) {
      const start = (elementStarts[depth] ??= starts('[', indent(depth + 1)));
      for (let i = 0; i < v.length; i++) {
        // When the replacer omits no index, an element's key is never read: only its toJSON is asked.
        const item = indexKeys ? resolved(v, String(i), v[i]) : jsonValue(v[i], i);
        if (typeof item === 'string' && !ESCAPED.test(item)) {
          out.add(i === 0 ? start.firstQuote : start.nextQuote);
          out.add(item);
          out.add('"');
        } else {
          out.add(i === 0 ? start.first : start.next);
          if (omitted(item)) out.add('null');
          else write(item, depth + 1);
        }
        out.mayEnd();
      }
      out.add(v.length === 0 ? '[]' : endOf(depth)[0]);
    } else {
      const known = (memberStarts[depth] ??= new Map());
      let first = true;
      // for-in makes no array of keys per object (Object.keys did, one per value of the plan); it also lists inherited keys, passed over.
      for (const key in v) {
        if (!hasOwn(v, key)) continue;
        const start = memberStart(known, key, depth);
        // A key omitting() leaves out: its value is neither read nor asked for its toJSON, whose result would be dropped.
        if (start === null) continue;
        const own = jsonValue((v as Record<string, unknown>)[key], key);
        const member = call ? call.call(v, key, own) : own;
        if (omitted(member)) continue;
        if (typeof member === 'string' && !ESCAPED.test(member)) {
          out.add(first ? start.firstQuote : start.nextQuote);
          out.add(member);
          out.add('"');
        } else if (typeof member === 'object' && member !== null && call === undefined) {
          out.add(first ? start.first : start.next);
          writeMember(start, member, depth + 1);
        } else {
          out.add(first ? start.first : start.next);
          write(member, depth + 1);
        }
        first = false;
        out.mayEnd();
      }
      out.add(first ? '{}' : endOf(depth)[1]);
    }
  };
  // An object or array a member holds, as the member's start at its depth holds it last or before: the
  // text written for it then, the same bytes at the same indentation. The plan's 10,000 peers share one
  // list of the networks they reach, its 20,000 rules a few zones and port lists. Only without a
  // replacer function (which could say otherwise for the same value) and with text of at most KEPT characters.
  // The value is taken as unchanged in between (nothing changes the model while it is written): its members
  // and their toJSON are not read again.
  const writeMember = (start: Starts, v: object, depth: number): void => {
    if (v === start.last || v === start.before) {
      for (let d = 0; d < depth; d++) if (open[d] === v) throw new TypeError('Converting circular structure to JSON');
      out.add(v === start.last ? start.lastText : start.beforeText);
      return;
    }
    out.open();
    write(v, depth);
    const text = out.close();
    if (text === undefined) return;
    // Made one flat string now (a search does that), the text is copied as one piece wherever the part
    // it is added to is flattened, not walked again piece by piece.
    text.includes('\r');
    start.before = start.last;
    start.beforeText = start.lastText;
    start.last = v;
    start.lastText = text;
  };
  const endOf = (depth: number): [array: string, object: string] => (ends[depth] ??= [`${indent(depth)}]`, `${indent(depth)}}`]);
  const top = resolved({ '': value }, '', value);
  if (omitted(top)) throw new TypeError('stableJsonParts: the value has no JSON text');
  write(top, 0);
  out.add('\n');
  out.end();
}

/** How an array's element or an object's member starts: after the bracket or brace, or after a comma; each also with a string's opening quote. */
interface Starts {
  first: string;
  next: string;
  firstQuote: string;
  nextQuote: string;
  /** The last two values written after this start with their text (stableJsonParts' writeMember). */
  last: object | undefined;
  lastText: string;
  before: object | undefined;
  beforeText: string;
}

/** The starts of a member or element whose text begins with `text` (its line break, indentation and key), in a container opened with `opener`. */
function starts(opener: '[' | '{', text: string): Starts {
  return { first: opener + text, next: `,${text}`, firstQuote: `${opener + text}"`, nextQuote: `,${text}"`, last: undefined, lastText: '', before: undefined, beforeText: '' };
}

/** The keys of each replacer omitting() made. */
const OMITTED = new WeakMap<Replacer, ReadonlySet<string>>();

/**
 * A replacer that leaves out every member named one of `keys`, whatever its
 * holder: for JSON.stringify a function like any other; stableJsonParts
 * looks the key up itself, with no call per member (and no key per array
 * element when no key names an index).
 */
export function omitting(keys: ReadonlySet<string>): Replacer {
  const replacer: Replacer = (key, value) => (keys.has(key) ? undefined : value);
  OMITTED.set(replacer, keys);
  return replacer;
}

/** An array index as JSON.stringify names it to a replacer: a decimal integer without leading zeros. */
function isIndex(key: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(key);
}

/** What JSON.stringify writes as an escape in a string: a quote, a backslash, a control character, a surrogate (a lone one). */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

const hasOwn = (v: object, key: string): boolean => Object.prototype.hasOwnProperty.call(v, key);

/** What JSON.stringify leaves out of an object. */
function omitted(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/** A Number, String, Boolean or BigInt object, which JSON.stringify writes as its primitive. */
function isWrapper(v: object): boolean {
  return v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof BigInt;
}
