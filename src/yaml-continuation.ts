// Quoted values and flow collections that go on past their line: where
// js-yaml and YAML 1.2 part ways. YAML 1.2 wants every line a quoted scalar
// or a flow collection goes on to indented more than the key or "-" it
// belongs to (s-flow-line-prefix(n)); js-yaml reads a line indented less,
// even one at column 0 that looks like a comment, as more of the value.
// The `yaml` library, editors' YAML servers and gen's own topology edits
// refuse such a file, and gen read it only where nothing else sent it to the
// `yaml` library (an alias elsewhere in the file made the same value an
// error). The loader sends every file this scan finds to the `yaml`
// library, whose error then names the line.
// Layer: load (imports nothing of gen).

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const DOUBLE = 0x22;
const SINGLE = 0x27;
const BACKSLASH = 0x5c;
const HASH = 0x23;
const COLON = 0x3a;
const COMMA = 0x2c;

const blank = (code: number) => code === SPACE || code === TAB || code === CR;
const isFlowSign = (code: number) => code === COMMA || code === 0x5b || code === 0x5d || code === 0x7b || code === 0x7d;

/**
 * Whether the text may hold a quoted value or a flow collection that goes on
 * to a line YAML 1.2 refuses as too little indented. It finds every such
 * line; it also finds some files that are valid (a value whose key is on
 * the line above, a quote or a bracket opening a line of a plain or block
 * scalar, something after a value that closed on a later line), which then
 * only take the slower reader. Only lines with a quote or a bracket are read.
 */
export function hasLooseContinuation(text: string): boolean {
  for (const sign of ['"', "'", '[', '{']) {
    // Every line with the sign is read from its start, also one inside a
    // value found before: a quote that only seems to open a value (a line of
    // a plain or block scalar that starts with one) must not hide a value
    // opened below it.
    for (let i = text.indexOf(sign); i >= 0; i = text.indexOf(sign, lineEnd(text, i))) {
      if (new LineScan(text, text.lastIndexOf('\n', i) + 1).loose()) return true;
    }
  }
  return false;
}

function lineEnd(text: string, i: number): number {
  const end = text.indexOf('\n', i);
  return end < 0 ? text.length : end;
}

/**
 * Reads block YAML from the start of one line. Where a quoted value or a
 * flow collection is still open at the line's end, it reads on through the
 * lines it goes on to, each of which needs one more space of indentation
 * than the column of the last key or "-" before the value opened. A value
 * whose key is on an earlier line needs the line's own indentation here:
 * more than YAML asks, never less.
 */
class LineScan {
  private i: number;
  private lineStart: number;
  private end: number;
  /** The column of the last key or "-" of the first line (the node the value belongs to). */
  private owner: number;
  private required = -1;
  private depth = 0;
  /** The quote of a value open at the end of a line, or 0. */
  private quote = 0;

  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.lineStart = start;
    this.end = lineEnd(text, start);
    this.i = this.skipBlank(start);
    this.owner = this.i - start - 1;
    if (this.i === start && (text.startsWith('---', start) || text.startsWith('...', start)) && this.endsToken(start + 3)) {
      // A document marker: what follows is a root node (indentation -1).
      this.owner = -1;
      this.i = this.skipBlank(start + 3);
    }
  }

  /** Whether the value open at the end of the first line (if any) goes on to a line indented too little, or the scan cannot tell. */
  loose(): boolean {
    if (!this.readLine()) return false;
    this.required = this.owner + 1;
    for (;;) {
      if (this.end >= this.text.length) return true; // never closed: the `yaml` library names it
      this.lineStart = this.end + 1;
      this.end = lineEnd(this.text, this.lineStart);
      let k = this.lineStart;
      while (this.text.charCodeAt(k) === SPACE) k++;
      if (k - this.lineStart < this.required) {
        // A line of fewer spaces and nothing else folds into the value (l-empty: s-indent(<n)); a tab there is refused.
        if (k === this.end || (k + 1 === this.end && this.text.charCodeAt(k) === CR)) continue;
        return true;
      }
      const content = this.skipBlank(k);
      if (content >= this.end) continue;
      this.i = content;
      if (this.quote !== 0) {
        const close = this.closing(this.quote, this.i);
        if (close < 0) continue;
        this.quote = 0;
        this.i = this.skipBlank(close + 1);
        if (this.depth === 0) return !this.restIsComment();
        this.afterScalar(-1);
      }
      // Closed on this line: only a comment may follow it (a key made of a value over lines, or more after it, is left to the `yaml` library).
      if (!this.readLine()) return !this.restIsComment();
    }
  }

  /**
   * Reads the current line from `i` on. Returns whether a quoted value or
   * a flow collection is open at its end; stops early (false) at a comment
   * or a block scalar in block context.
   */
  private readLine(): boolean {
    const text = this.text;
    while (this.i < this.end) {
      const i = this.i;
      const code = text.charCodeAt(i);
      if (code === HASH) return this.depth > 0;
      if (this.depth === 0 && this.required < 0 && (code === 0x2d /* - */ || code === 0x3f /* ? */ || code === COLON) && this.endsToken(i + 1)) {
        this.owner = i - this.lineStart;
        this.i = this.skipBlank(i + 1);
        continue;
      }
      if (code === DOUBLE || code === SINGLE) {
        const close = this.closing(code, i + 1);
        if (close < 0) {
          this.quote = code;
          return true;
        }
        this.i = this.skipBlank(close + 1);
        this.afterScalar(i);
        continue;
      }
      if (code === 0x5b /* [ */ || code === 0x7b /* { */) {
        this.depth++;
        this.i = this.skipBlank(i + 1);
        continue;
      }
      if (this.depth > 0 && isFlowSign(code)) {
        if (code !== COMMA) this.depth--;
        this.i = this.skipBlank(i + 1);
        // A flow collection closed on a later line than it opened: the scan of its lines ends here.
        if (this.depth === 0 && this.required >= 0) return false;
        continue;
      }
      if (this.depth === 0 && (code === 0x7c /* | */ || code === 0x3e) /* > */) return false;
      if (code === 0x26 /* & */) {
        let k = i;
        while (k < this.end && !blank(text.charCodeAt(k))) k++;
        this.i = this.skipBlank(k);
        continue;
      }
      // A plain scalar: to a ": " (it was a key), a " #", or in a flow collection its next sign.
      let k = i + 1;
      for (; k < this.end; k++) {
        const c = text.charCodeAt(k);
        if (c === COLON && (this.endsToken(k + 1) || (this.depth > 0 && isFlowSign(text.charCodeAt(k + 1))))) break;
        if (c === HASH && blank(text.charCodeAt(k - 1))) break;
        if (this.depth > 0 && isFlowSign(c)) break;
      }
      this.i = k;
      this.afterScalar(i);
    }
    return this.depth > 0;
  }

  /** After a scalar that started at `at` (-1: on an earlier line): a ":" makes it a key, the owner of what follows. */
  private afterScalar(at: number): void {
    const text = this.text;
    if (text.charCodeAt(this.i) !== COLON || !(this.depth > 0 || this.endsToken(this.i + 1) || isFlowSign(text.charCodeAt(this.i + 1)))) return;
    if (this.depth === 0 && this.required < 0 && at >= 0) this.owner = at - this.lineStart;
    this.i = this.skipBlank(this.i + 1);
  }

  /** The closing quote (`"` or `'`) from `from` on this line, or -1; `\"` and `''` are quotes inside. */
  private closing(quote: number, from: number): number {
    const text = this.text;
    for (let k = from; k < this.end; k++) {
      const c = text.charCodeAt(k);
      if (quote === DOUBLE && c === BACKSLASH) k++;
      else if (c === quote) {
        if (quote === SINGLE && text.charCodeAt(k + 1) === SINGLE) k++;
        else return k;
      }
    }
    return -1;
  }

  /** Past the line's end, or whitespace: where an indicator (`- `, `: `) or a comment (` #`) may stand. */
  private endsToken(k: number): boolean {
    return k >= this.end || blank(this.text.charCodeAt(k));
  }

  private skipBlank(i: number): number {
    while (i < this.end && blank(this.text.charCodeAt(i))) i++;
    return i;
  }

  private restIsComment(): boolean {
    return this.i >= this.end || (this.text.charCodeAt(this.i) === HASH && blank(this.text.charCodeAt(this.i - 1)));
  }
}
