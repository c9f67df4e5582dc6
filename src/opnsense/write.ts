// Writes a file that holds secrets: mode 0600 from the first byte, then an
// atomic rename into place.
import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';

export function writePrivateFile(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, content, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}
