// What a command writes for `-o FILE` when it can write several formats:
// the file's extension decides, so `gen graph -o net.svg` is a drawing and
// `gen wg export -o phone.png` a QR code. An extension the command does not
// write is refused before anything is read, with the ones it does.
import { extname } from 'node:path';
import { UsageError } from './errors.js';

export interface OutputFormat<F extends string> {
  format: F;
  /** What the file holds, for the line that says what was written. */
  what: string;
}

/** The format for `output` from `byExtension` (keys like '.svg', lower case). */
export function formatOfOutput<F extends string>(output: string, byExtension: Readonly<Record<string, OutputFormat<F>>>, command: string): OutputFormat<F> {
  const extension = extname(output).toLowerCase();
  const found = byExtension[extension];
  if (found !== undefined) return found;
  const known = Object.entries(byExtension)
    .map(([ext, f]) => `${ext} (${f.what})`)
    .join(', ');
  throw new UsageError(`refusing to write ${output}: ${command} writes ${known}, chosen by the extension of -o${extension ? `, and ${extension} is none of them` : ''}`);
}

/** Human-readable size of what was written. */
export function sizeText(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(1)} KiB`;
}
