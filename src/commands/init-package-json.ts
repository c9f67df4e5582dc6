// gen's scripts and dev dependency added to a project's package.json as an
// edit of its text: each entry gen adds is inserted after the last one of
// its object, in the style of its neighbours (indentation, line ends, the
// spacing around the colon), and every other byte stays as it was. Going
// through JSON.parse and JSON.stringify instead would rewrite the user's
// numbers (12345678901234567890, 1.0), escapes and layout. The text is
// valid JSON (JSON.parse said so) before it is scanned here, so the scan
// only finds where things are; values gen does not look into are skipped
// without recursion, so no nesting depth can exhaust the stack.

/** A value in the text: where it starts and ends, and what it is. */
interface Value {
  start: number;
  end: number;
  kind: 'object' | 'array' | 'string' | 'number' | 'true' | 'false' | 'null';
}

/** A member of an object: its key (decoded), where the key is, and its value. */
interface Member {
  key: string;
  keyStart: number;
  keyEnd: number;
  value: Value;
}

const WHITESPACE = ' \t\n\r';

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && WHITESPACE.includes(text[i]!)) i++;
  return i;
}

/** The end of the string that starts at `i` (a `"`). */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j + 1;
  }
  throw new Error('unterminated string');
}

/** The value at `i`, skipped to its end: strings, brackets and braces counted, nothing built. */
function valueAt(text: string, i: number): Value {
  const first = text[i];
  if (first === '"') return { start: i, end: stringEnd(text, i), kind: 'string' };
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') j = stringEnd(text, j) - 1;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return { start: i, end: j + 1, kind: first === '{' ? 'object' : 'array' };
      }
    }
    throw new Error('unclosed bracket');
  }
  let end = i;
  while (end < text.length && !`,]}${WHITESPACE}`.includes(text[end]!)) end++;
  const word = text.slice(i, end);
  return { start: i, end, kind: word === 'true' || word === 'false' || word === 'null' ? word : 'number' };
}

/** The members of the object `object`, in their order. */
function membersOf(text: string, object: Value): Member[] {
  const members: Member[] = [];
  let i = skipWhitespace(text, object.start + 1);
  while (text[i] === '"') {
    const keyEnd = stringEnd(text, i);
    const value = valueAt(text, skipWhitespace(text, skipWhitespace(text, keyEnd) + 1));
    members.push({ key: JSON.parse(text.slice(i, keyEnd)) as string, keyStart: i, keyEnd, value });
    i = skipWhitespace(text, value.end);
    if (text[i] === ',') i = skipWhitespace(text, i + 1);
  }
  return members;
}

/** The member named `key` as JSON.parse (and npm) read it: the last of that name. */
function member(members: readonly Member[], key: string): Member | undefined {
  for (let i = members.length - 1; i >= 0; i--) if (members[i]!.key === key) return members[i];
  return undefined;
}

const KINDS: Record<Value['kind'], string> = { object: 'an object', array: 'an array', string: 'a string', number: 'a number', true: 'true', false: 'false', null: 'null' };

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  return `line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`;
}

/** How the file lays out its members: what precedes a key, the indentation unit, the colon with its spacing, the line end. */
interface Layout {
  lead: string;
  unit: string;
  colon: string;
  eol: string;
}

/** The whitespace before the key of `m`: after the `{` or `,` that precedes it. */
function leadOf(text: string, m: Member): string {
  let i = m.keyStart;
  while (i > 0 && WHITESPACE.includes(text[i - 1]!)) i--;
  return text.slice(i, m.keyStart);
}

function indentationOf(lead: string): string {
  return lead.slice(lead.lastIndexOf('\n') + 1);
}

type Entry = readonly [key: string, value: string];

/** The text of an object holding `entries`, laid out as `layout` says, its members one level deeper than `indent`. */
function objectText(entries: readonly Entry[], layout: Layout, indent: string): string {
  if (!layout.lead.includes('\n')) return `{${entries.map(([k, v]) => `${JSON.stringify(k)}${layout.colon}${v}`).join(`,${layout.lead || ' '}`)}}`;
  const inner = `${layout.eol}${indent}${layout.unit}`;
  return `{${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}${layout.colon}${v}`).join(',')}${layout.eol}${indent}}`;
}

interface Edit {
  offset: number;
  remove: number;
  insert: string;
}

/**
 * The edit that adds `entries` (key and value text) to `object`: after its
 * last member, led and spaced as that one; into an empty object (whose
 * inside is only whitespace), one level deeper than the line that opens it.
 */
function addTo(text: string, object: Value, members: readonly Member[], entries: readonly Entry[], layout: Layout): Edit {
  const last = members.at(-1);
  if (last === undefined) {
    const lineStart = text.lastIndexOf('\n', object.start) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart, object.start))![0];
    return { offset: object.start, remove: object.end - object.start, insert: objectText(entries, layout, indent) };
  }
  const colon = text.slice(last.keyEnd, last.value.start);
  let lead = leadOf(text, last);
  // One member on one line, close to its braces ({"a": 1}): a space after the comma, as after the colon.
  if (lead === '' && members.length === 1 && colon.endsWith(' ')) lead = ' ';
  return { offset: last.value.end, remove: 0, insert: entries.map(([k, v]) => `,${lead}${JSON.stringify(k)}${colon}${v}`).join('') };
}

/** package.json's text (without its byte order mark) that JSON.parse refused, with JSON.parse's error. */
export class NotJsonError extends Error {
  constructor(
    readonly text: string,
    readonly parseError: unknown,
  ) {
    super(`it is not JSON (${(parseError as Error).message})`);
  }
}

export interface PackageJsonEdit {
  text: string;
  added: string[];
}

/**
 * `current` (package.json's text, a byte order mark kept) with the
 * `wanted` scripts it lacks and, unless the project depends on
 * `dependency` already, that dev dependency at `range`; undefined when
 * nothing is missing. A package.json that is not an object, or whose
 * scripts, devDependencies or dependencies is not an object, is refused
 * (an Error saying where), never rewritten; text JSON.parse refuses throws
 * NotJsonError, for the caller to locate the fault.
 */
export function addToPackageJson(current: string, wanted: Readonly<Record<string, string>>, dependency: string, range: string): PackageJsonEdit | undefined {
  const bom = current.startsWith('\uFEFF') ? '\uFEFF' : '';
  const text = current.slice(bom.length);
  // JSON.parse decides what is JSON; where it goes wrong is found by the caller.
  try {
    JSON.parse(text);
  } catch (error) {
    throw new NotJsonError(text, error);
  }
  const root = valueAt(text, skipWhitespace(text, 0));
  if (root.kind !== 'object') throw new Error(`it is ${KINDS[root.kind]}, not a JSON object`);
  const members = membersOf(text, root);
  const objectMember = (key: string): { value: Value; members: Member[] } | undefined => {
    const m = member(members, key);
    if (m === undefined) return undefined;
    if (m.value.kind !== 'object') throw new Error(`"${key}" (${lineAndColumn(text, m.value.start)}) is ${KINDS[m.value.kind]}, not an object`);
    return { value: m.value, members: membersOf(text, m.value) };
  };
  const scripts = objectMember('scripts');
  const devDependencies = objectMember('devDependencies');
  const dependencies = objectMember('dependencies');
  const has = (object: { members: Member[] } | undefined, key: string) => object !== undefined && member(object.members, key) !== undefined;
  const missing = Object.entries(wanted).filter(([name]) => !has(scripts, name));
  const needsDependency = !has(devDependencies, dependency) && !has(dependencies, dependency);
  if (missing.length === 0 && !needsDependency) return undefined;

  const first = members[0];
  const lead = first === undefined ? '\n  ' : leadOf(text, first);
  const layout: Layout = {
    lead,
    unit: (lead.includes('\n') && indentationOf(lead)) || '  ',
    colon: first === undefined ? ': ' : text.slice(first.keyEnd, first.value.start),
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
  // An object gen adds to the top level: its members one level deeper than the member before it.
  const memberIndent = first === undefined ? '  ' : indentationOf(leadOf(text, members.at(-1)!));
  const scriptEntries = missing.map(([name, command]): Entry => [name, JSON.stringify(command)]);
  const dependencyEntry: Entry = [dependency, JSON.stringify(range)];
  const edits: Edit[] = [];
  const topLevel: Entry[] = [];
  if (scriptEntries.length > 0) {
    if (scripts) edits.push(addTo(text, scripts.value, scripts.members, scriptEntries, layout));
    else topLevel.push(['scripts', objectText(scriptEntries, layout, memberIndent)]);
  }
  if (needsDependency) {
    if (devDependencies) edits.push(addTo(text, devDependencies.value, devDependencies.members, [dependencyEntry], layout));
    else topLevel.push(['devDependencies', objectText([dependencyEntry], layout, memberIndent)]);
  }
  if (topLevel.length > 0) edits.push(addTo(text, root, members, topLevel, layout));
  let edited = text;
  for (const edit of edits.sort((a, b) => b.offset - a.offset)) edited = `${edited.slice(0, edit.offset)}${edit.insert}${edited.slice(edit.offset + edit.remove)}`;
  // What npm will read: each entry gen added, with its value.
  const after = JSON.parse(edited) as { scripts: Record<string, unknown>; devDependencies: Record<string, unknown> };
  if (missing.some(([name, command]) => after.scripts[name] !== command) || (needsDependency && after.devDependencies[dependency] !== range)) {
    throw new Error('gen could not place its entries in it; add them yourself');
  }
  return { text: `${bom}${edited}`, added: [...missing.map(([name]) => name), ...(needsDependency ? [`devDependencies.${dependency}`] : [])] };
}
