// `gen build --check`: compare the tree a build would write with what is on
// disk, without writing anything (like `prettier --check`). A file differs
// as `gen build` sees it (src/emit.ts, `unchanged`): by its bytes, the UTF-8
// that a build writes, and by its mode (0644); the two never disagree about
// a tree. Terraform's own files in a directory of .tf files (state,
// .terraform/) are the user's and never count as a difference.
import { type Stats, closeSync, lstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { ArrivingParts, type OutputSink } from './io/tree-files.js';
import { Utf8Scratch } from './io/utf8-scratch.js';
import { OUTPUT_FILE_MODE, manifestBytes, outputModeKept, sha256, sha256Of, sha256OfParts } from './manifest.js';
import { MANIFEST } from './paths.js';
import { terraformDirs, walk, workingEntryOf } from './output-tree.js';

export interface Difference {
  path: string;
  status: 'changed' | 'missing' | 'extra';
  /** The file's mode, when only its mode differs (gen writes OUTPUT_FILE_MODE). */
  mode?: number;
}

/** How a difference reads after its path: ` (mode 0600, not 0644)` when only the mode differs. */
export function differenceDetail(difference: Difference): string {
  const octal = (mode: number) => mode.toString(8).padStart(4, '0');
  return difference.mode === undefined ? '' : ` (mode ${octal(difference.mode)}, not ${octal(OUTPUT_FILE_MODE)})`;
}

/** The files (and anything else that is not a directory) below `dir`; none when it is missing. */
function listFiles(dir: string, skip: (relative: string) => boolean): string[] {
  if (lstatSync(dir, { throwIfNoEntry: false }) === undefined) return [];
  const files: string[] = [];
  walk(dir, (relative, kind) => {
    if (skip(relative)) return 'skip';
    if (kind !== 'dir') files.push(relative);
  });
  return files;
}

/**
 * What out/ holds at `path` against the bytes a build would write there,
 * handed over a piece at a time: only a regular file is read, and only
 * while its bytes match so far, a piece's length at a time. Nothing is kept
 * but the answer (`gen build --check` of 100,000 peers compares 737 MB).
 */
class DiskComparison {
  private fd: number | undefined;
  private size = 0;
  private read = 0;
  private differs = false;
  private readonly stat: Stats | undefined;

  constructor(
    file: string,
    stat: Stats | undefined,
    private readonly scratch: ReadScratch,
  ) {
    this.stat = stat;
    if (stat?.isFile()) {
      this.fd = openSync(file, 'r');
      this.size = stat.size;
    }
  }

  piece(bytes: Uint8Array): void {
    if (this.fd === undefined || this.differs) return;
    if (this.read + bytes.length > this.size) {
      this.differs = true;
      return;
    }
    const buffer = this.scratch.of(bytes.length);
    const got = readSync(this.fd, buffer, 0, bytes.length, this.read);
    if (got !== bytes.length || buffer.compare(bytes, 0, bytes.length, 0, got) !== 0) this.differs = true;
    this.read += bytes.length;
  }

  /** The difference, once every piece has come; undefined when out/ holds these bytes with gen's mode. */
  difference(path: string): Difference | undefined {
    if (this.stat === undefined) return { path, status: 'missing' };
    if (this.fd === undefined || this.differs || this.read !== this.size) return { path, status: 'changed' };
    if (!outputModeKept(this.stat.mode)) return { path, status: 'changed', mode: this.stat.mode & 0o7777 };
    return undefined;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * The entries of out/ as the listing sees them: a path whose directory is a
 * link (to a directory, or to itself) or a file has none there (the listing
 * reports the link or the file in its stead, and walks into no link), so
 * nothing is read through a link from outside the tree, and a link that
 * loops is one entry like any other. Each directory is looked at once.
 */
class TreeEntries {
  /** Directory below out/ ('' is out/) → whether it is a directory reached without a link. */
  private readonly dirs = new Map<string, boolean>([['', true]]);

  constructor(private readonly root: string) {}

  /** The entry at `path` (relative to out/), or undefined when the listing has none. */
  stat(path: string): Stats | undefined {
    if (!this.isDirectory(parentOf(path))) return undefined;
    try {
      return lstatSync(join(this.root, path), { throwIfNoEntry: false });
    } catch (error) {
      // A directory replaced by a file since it was looked at: nothing there, as the listing will see.
      if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw error;
    }
  }

  private isDirectory(dir: string): boolean {
    let known = this.dirs.get(dir);
    if (known === undefined) {
      known = this.isDirectory(parentOf(dir)) && lstatSync(join(this.root, dir), { throwIfNoEntry: false })?.isDirectory() === true;
      this.dirs.set(dir, known);
    }
    return known;
  }
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** One read buffer, grown to the longest piece compared. */
class ReadScratch {
  private buffer = Buffer.allocUnsafe(64 * 1024);

  of(length: number): Buffer {
    if (length > this.buffer.length) this.buffer = Buffer.allocUnsafe(length);
    return this.buffer;
  }
}

/**
 * Compares the tree `render` hands over, each file as it comes, with out/:
 * a text is encoded a piece at a time, hashed for the MANIFEST and compared
 * with the file's bytes, then dropped, so the check never holds the tree
 * (it held every text: 331 MB against a build's 228 at 10,000 peers).
 */
export function checkTree(outDir: string, render: (files: OutputSink) => void): Difference[] {
  const differences = new Map<string, Difference>();
  const encoder = new Utf8Scratch();
  const scratch = new ReadScratch();
  const entries = new TreeEntries(outDir);
  const compared = (path: string, hashing: (each: (bytes: Buffer) => void) => string): string => {
    const comparison = new DiskComparison(join(outDir, path), entries.stat(path), scratch);
    try {
      const hash = hashing((bytes) => comparison.piece(bytes));
      const difference = comparison.difference(path);
      if (difference) differences.set(path, difference);
      return hash;
    } finally {
      comparison.close();
    }
  };
  const files = new ArrivingParts(
    (path, text) => compared(path, (each) => sha256Of(text, encoder, each)),
    (path, write) => compared(path, (each) => sha256OfParts(write, encoder, each)),
  );
  render(files);
  compared(MANIFEST, (each) => {
    const bytes = manifestBytes(files.hashes);
    each(bytes);
    return sha256(bytes);
  });
  const tfDirs = terraformDirs(files.hashes.keys());
  const onDisk = new Set(listFiles(outDir, (relative) => workingEntryOf(relative, tfDirs) !== undefined));
  // Listed from the directory, as `gen build` sees the tree: a path reached through a link to a directory is not there.
  for (const path of files.hashes.keys()) if (!onDisk.has(path)) differences.set(path, { path, status: 'missing' });
  if (!onDisk.has(MANIFEST)) differences.set(MANIFEST, { path: MANIFEST, status: 'missing' });
  for (const path of onDisk) if (path !== MANIFEST && !files.hashes.has(path)) differences.set(path, { path, status: 'extra' });
  return [...differences.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * A sink that hands each file to `first`, then to `second`; a text in parts
 * reaches both part by part when both take parts (the writer runs once).
 */
export function bothSinks(first: OutputSink, second: OutputSink): OutputSink {
  const sink: OutputSink = {
    set(path, text) {
      first.set(path, text);
      second.set(path, text);
    },
  };
  if (first.setParts && second.setParts) {
    sink.setParts = (path, write) =>
      first.setParts!(path, (toFirst) =>
        second.setParts!(path, (toSecond) =>
          write((text) => {
            toFirst(text);
            toSecond(text);
          }),
        ),
      );
  }
  return sink;
}

/** checkTree of a tree already rendered. */
export function staleFiles(outDir: string, files: ReadonlyMap<string, string>): Difference[] {
  return checkTree(outDir, (sink) => {
    for (const [path, text] of files) sink.set(path, text);
  });
}
