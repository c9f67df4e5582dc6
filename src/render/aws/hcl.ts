// A small HCL writer whose output is already in `terraform fmt` form: two
// space indent, `=` aligned across consecutive one-line attributes, one
// blank line between blocks. Every string from the topology goes through
// hclString(), so a name or description can never open an interpolation
// (`${`), a directive (`%{`) or end the string early.

/** An expression gen writes itself (a reference, a function call): never user text. */
export class Raw {
  constructor(readonly text: string) {}
}

/** An object value, written over several lines like `tags = { ... }`. */
export class HclObject {
  constructor(readonly entries: readonly (readonly [string, Value])[]) {}
}

export type Value = string | number | boolean | Raw | HclObject | readonly Value[];

export type Item =
  | { kind: 'attr'; name: string; value: Value }
  | { kind: 'block'; type: string; labels: string[]; body: Item[] }
  | { kind: 'comment'; text: string };

export const raw = (text: string): Raw => new Raw(text);
export const attr = (name: string, value: Value): Item => ({ kind: 'attr', name, value });
export const block = (type: string, labels: string[], body: Item[]): Item => ({ kind: 'block', type, labels, body });
export const comment = (text: string): Item => ({ kind: 'comment', text });

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * A quoted template: each string part is literal text (escaped like
 * hclString), each Raw part an interpolation `${...}` of an expression gen
 * writes itself.
 */
export function template(parts: readonly (string | Raw)[]): Raw {
  let out = '';
  parts.forEach((part, i) => {
    if (part instanceof Raw) {
      out += `\${${part.text}}`;
      return;
    }
    // "$" or "%" right before an interpolation would turn it into the escape "$${" ("%%{").
    if (parts[i + 1] instanceof Raw && /[$%]$/.test(part)) throw new Error(`a template's text ends in ${part.slice(-1)} before an interpolation`);
    out += hclString(part).slice(1, -1);
  });
  return raw(`"${out}"`);
}

/** A quoted HCL string literal whose value is exactly `text`. */
export function hclString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '\\') out += '\\\\';
    else if (c === '"') out += '\\"';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '$' && next === '{') out += '$$';
    else if (c === '%' && next === '{') out += '%%';
    else if (c < ' ' || c === '\u007f') out += `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return `${out}"`;
}

/**
 * An object's key: bare when it is an identifier, except `for`, which at
 * the start of an object makes HCL read a for expression ({ for = 1 } is
 * "Invalid 'for' expression").
 */
function objectKey(key: string): string {
  return IDENTIFIER.test(key) && key !== 'for' ? key : hclString(key);
}

function isMultiline(value: Value): boolean {
  return value instanceof HclObject && value.entries.length > 0;
}

function inline(value: Value): string {
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Raw) return value.text;
  if (value instanceof HclObject) {
    if (value.entries.length) throw new Error('a non-empty object is written over several lines');
    return '{}';
  }
  return `[${(value as readonly Value[]).map(inline).join(', ')}]`;
}

function checkName(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not an HCL identifier: ${JSON.stringify(name)}`);
  return name;
}

/** Attribute lines with their `=` aligned like terraform fmt: a multi-line value ends the run. */
function writeBody(items: readonly Item[], depth: number, lines: string[]): void {
  const pad = '  '.repeat(depth);
  let run: { key: string; value: string }[] = [];
  const flush = () => {
    const width = run.reduce((max, r) => Math.max(max, r.key.length), 0);
    for (const r of run) lines.push(`${pad}${r.key.padEnd(width)} = ${r.value}`);
    run = [];
  };
  let previous: Item['kind'] | 'multiline' | undefined;
  for (const item of items) {
    if (item.kind === 'attr' && !isMultiline(item.value)) {
      if (previous === 'block') lines.push('');
      run.push({ key: checkName(item.name), value: inline(item.value) });
      previous = 'attr';
      continue;
    }
    flush();
    if (item.kind === 'comment') {
      if (previous === 'block' || previous === 'multiline') lines.push('');
      if (/[\u0000-\u001f\u007f]/.test(item.text)) throw new Error('a comment is one line');
      lines.push(`${pad}# ${item.text}`);
      previous = 'comment';
    } else if (item.kind === 'attr') {
      if (previous === 'block') lines.push('');
      writeObject(checkName(item.name), item.value as HclObject, depth, lines);
      previous = 'multiline';
    } else {
      if (previous !== undefined && previous !== 'comment') lines.push('');
      const labels = item.labels.map((l) => `${hclString(l)} `).join('');
      if (item.body.length === 0) {
        lines.push(`${pad}${checkName(item.type)} ${labels}{}`);
      } else {
        lines.push(`${pad}${checkName(item.type)} ${labels}{`);
        writeBody(item.body, depth + 1, lines);
        lines.push(`${pad}}`);
      }
      previous = 'block';
    }
  }
  flush();
}

function writeObject(name: string, value: HclObject, depth: number, lines: string[]): void {
  const pad = '  '.repeat(depth);
  lines.push(`${pad}${name} = {`);
  const keys = value.entries.map(([k]) => objectKey(k));
  const width = keys.reduce((max, k) => Math.max(max, k.length), 0);
  value.entries.forEach(([, v], i) => {
    if (isMultiline(v)) throw new Error('nested multi-line objects are not written');
    lines.push(`${pad}  ${keys[i]!.padEnd(width)} = ${inline(v)}`);
  });
  lines.push(`${pad}}`);
}

/** A whole .tf file: LF line ends, one final newline. */
export function hclFile(items: readonly Item[]): string {
  const lines: string[] = [];
  writeBody(items, 0, lines);
  return `${lines.join('\n')}\n`;
}
