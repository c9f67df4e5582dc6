// Standard output written without making process.stdout, where that stream
// would only call writeSync: Node serves a regular file or a device that is
// not a terminal (> report.txt, > /dev/null, as CI and scripts run a lint)
// with a SyncWriteStream, and making it loads node:stream and the modules
// behind it, about twenty, a part of a short lint that prints one line.
// A terminal, a pipe or another device keeps Node's stream: telling a
// terminal from another device would load node:tty (and node:net).
import { fstatSync, statSync, writeSync } from 'node:fs';
import { ReportedError, outputErrorSentence } from './errors.js';

let direct: boolean | undefined;

/** Whether descriptor 1 is a regular file or /dev/null, which take the text straight from writeSync. */
function isDirect(): boolean {
  if (direct === undefined) {
    try {
      const out = fstatSync(1);
      direct = out.isFile() || (out.isCharacterDevice() && out.rdev === statSync('/dev/null', { throwIfNoEntry: false })?.rdev);
    } catch {
      direct = false;
    }
  }
  return direct;
}

/** Whether standard output is a regular file (> FILE): a secret printed there is a copy in a file gen did not choose, of the shell's mode. */
export function stdoutIsRegularFile(): boolean {
  try {
    return fstatSync(1).isFile();
  } catch {
    return false;
  }
}

/** Whether standard output is a terminal, as process.stdout.isTTY says, without making that stream where it is not needed. */
export function stdoutIsTerminal(): boolean {
  return !isDirect() && process.stdout.isTTY === true;
}

/**
 * Writes text to standard output. A failure of a direct write is the one
 * sentence bin/gen.js gives for a failing stream, with exit code 1.
 */
export function writeStdout(text: string): void {
  if (!isDirect()) {
    process.stdout.write(text);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  try {
    for (let done = 0; done < bytes.length; ) done += writeSync(1, bytes, done);
  } catch (error) {
    throw new ReportedError(outputErrorSentence(error as NodeJS.ErrnoException));
  }
}
