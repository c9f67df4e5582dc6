// A long generated file's text, handed over in parts. The large files (the
// plan.json of 100,000 peers is 187 MB, the filter.xml of 20,000 rules
// 38 MB, a verification script of 100,000 rules 70 MB) are never one
// string: held whole, such a text lived through the rendering, was moved to
// the collector's old generation and then copied once more when it was
// encoded. A part of about PART characters is handed to the output (which
// encodes, hashes and writes it) as soon as it is made, and dies young.
//
// A part is one string the writer adds to (`+=`), not a list of pieces
// joined when the part is handed over. Each of the three writers' own
// patterns was measured both ways (a 3,000-peer build under callgrind,
// instructions per writer): a list of pieces made plan.json, whose pieces
// are a few characters, about a sixth dearer, and the XML of the filter
// rules up to a tenth; the verification script's data lines cost about the
// same either way.
// A part ends only where its writer allows (after a value, a line or an
// element), so it is PART characters and at most one such item more.

/**
 * About how many characters a part holds: small enough to stay in the
 * processor's cache until it is encoded (parts of 230 KB made the filter
 * rules of 10,000 peers take a tenth longer to write).
 */
export const PART = 1 << 16;

/** The longest piece kept apart (TextParts.open): a part grows past PART by at most this much. */
export const KEPT = 1 << 12;

/**
 * A text written a piece at a time (add) and handed to `part` in parts of
 * about PART characters. A part ends only where the writer says one may
 * (mayEnd): after a value, a line or an element, never inside one. Without
 * `part`, the parts are kept and text() gives them joined, one flat string.
 */
export class TextParts {
  #text = '';
  readonly #kept: string[] = [];
  /** The text before each piece kept apart (open) and still open, outermost first. */
  readonly #outer: string[] = [];

  constructor(private readonly part?: (text: string) => void) {}

  add(text: string): void {
    this.#text += text;
  }

  /**
   * Hands over what was added since the last part when it is PART characters or more. Inside a piece kept
   * apart, no part ends: once the piece is KEPT characters, it and every piece around it are given up.
   */
  mayEnd(): void {
    if (this.#outer.length > 0) {
      if (this.#text.length < KEPT) return;
      this.#text = this.#outer.join('') + this.#text;
      this.#outer.length = 0;
    }
    if (this.#text.length >= PART) this.end();
  }

  /** Starts a piece kept apart: what is added until its close() also comes back as one string. */
  open(): void {
    this.#outer.push(this.#text);
    this.#text = '';
  }

  /** Ends the piece open() started; its text, or undefined when it was given up (it grew to KEPT characters). */
  close(): string | undefined {
    // Given up, with every piece open around it: nothing to keep apart any more.
    if (this.#outer.length === 0) return undefined;
    const text = this.#text;
    this.#text = this.#outer.pop()! + text;
    return text;
  }

  /** Hands over what was added since the last part, if anything. */
  end(): void {
    if (this.#text === '') return;
    const text = this.#text;
    this.#text = '';
    if (this.part) this.part(text);
    else this.#kept.push(text);
  }

  /** Without `part`: the whole text, once written (end() is called here). */
  text(): string {
    this.end();
    return this.#kept.join('');
  }
}
