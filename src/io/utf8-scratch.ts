/**
 * The UTF-8 bytes of one text at a time, in one buffer, which each result
 * holds until the next. writeFileSync with a string makes a new Buffer for
 * each file, outside the JavaScript heap, freed only when the collector
 * gets to it: 10,000 files left about 35 MB of them (100,000, hundreds).
 * Hashing a string makes such a copy too.
 */
export class Utf8Scratch {
  private buffer = Buffer.allocUnsafe(64 * 1024);

  /**
   * The bytes of `text`, in the buffer (which grows to the longest text
   * given, to the most bytes a piece can take once a text is that long).
   * A UTF-16 unit is at most 3 bytes: a text with that much room is written
   * without measuring it first (measuring read every text once more, a
   * tenth of writing a large tree).
   */
  encode(text: string): Buffer {
    if (3 * text.length > this.buffer.length) {
      const length = Buffer.byteLength(text, 'utf8');
      if (length > this.buffer.length) this.buffer = Buffer.allocUnsafe(Math.max(length, Math.min(Math.max(this.buffer.length * 2, 3 * text.length), 3 * UTF8_PIECE)));
    }
    return this.buffer.subarray(0, this.buffer.write(text, 0, 'utf8'));
  }

  /**
   * Hands `take` the bytes of `text` in order, a piece of at most
   * UTF8_PIECE characters at a time (never half of a surrogate pair), so
   * the buffer stays at most 3 × UTF8_PIECE bytes long: the filter rules of
   * 10,000 peers are one 38 MB text, and encoding it whole kept a buffer of
   * that size beside every text of the build until its end.
   */
  pieces(text: string, take: (bytes: Buffer) => void): void {
    if (text.length <= UTF8_PIECE) {
      take(this.encode(text));
      return;
    }
    for (let start = 0; start < text.length; ) {
      let end = Math.min(text.length, start + UTF8_PIECE);
      const last = text.charCodeAt(end - 1);
      if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
      take(this.encode(text.slice(start, end)));
      start = end;
    }
  }
}

/** The most characters encoded at once (a character is at most 3 bytes of UTF-8; a surrogate pair, 2 characters, is 4). */
export const UTF8_PIECE = 1 << 20;
