/**
 * UTF-8 bytes of one file at a time, in one buffer that grows to the
 * largest file; each result holds until the next. writeFileSync with a
 * string makes a new Buffer for each file, outside the JavaScript heap,
 * freed only when the collector gets to it: 10,000 files left about 35 MB
 * of them (100,000, hundreds). Hashing a string makes such a copy too.
 */
export class Utf8Scratch {
  private buffer = Buffer.allocUnsafe(64 * 1024);

  encode(text: string): Buffer {
    const length = Buffer.byteLength(text, 'utf8');
    if (length > this.buffer.length) this.buffer = Buffer.allocUnsafe(Math.max(length, this.buffer.length * 2));
    this.buffer.write(text, 0, length, 'utf8');
    return this.buffer.subarray(0, length);
  }
}
