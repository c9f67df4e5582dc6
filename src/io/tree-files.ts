// The files of an output tree as a build renders them, one at a time: each
// is checked as it comes, then taken (written into the stage, or hashed and
// compared with out/'s MANIFEST) and dropped, so that no text outlives its
// rendering (src/emit.ts). What needs the whole tree is checked once the
// last file has come, before anything reaches out/.
import { chmodSync, closeSync, fchmodSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { OUTPUT_FILE_MODE, plainRelative } from '../manifest.js';
import { MANIFEST } from '../paths.js';
import { writeAll } from './atomic-write.js';
import { crashPointAt } from './crash-points.js';
import { ReportedError } from './errors.js';

export class EmitError extends ReportedError {}

/** Hands each part of a text, in order, to `part`. */
export type PartsWriter = (part: (text: string) => void) => void;

/** Where a build hands each file: its path under out/ and its text, whole or (a build) in parts. */
export interface OutputSink {
  set(path: string, text: string): unknown;
  setParts?(path: string, write: PartsWriter): unknown;
}

function checkRelativePath(path: string): void {
  // A backslash or NUL would name another file on some systems, or cut the name short.
  if (!plainRelative(path) || path.includes('\\') || path.includes('\0')) throw new EmitError(`refusing to write "${path}": not a plain relative path`);
}

/**
 * Refuses two paths that differ only in case: a file system that ignores
 * case (macOS's and Windows' default) takes them for one file, or a file
 * for a directory, so the tree would be another one there. Lint refuses
 * the names that make them (names/same-file); this holds the output to it.
 * Each path is checked as it comes, against those before it, so that the
 * clash is refused before the second file is written (where case does not
 * count, it would land on the first). Directories that differ only in case
 * merge there, and are not refused. A path given twice is refused too: a
 * tree written as it is rendered cannot take a file back.
 * The paths before are the tree's own map of them (`earlier`, each added
 * once checked): a path without a capital letter is its own lower case, so
 * only the others are kept again, by their lower case. A tree's paths are
 * mostly lower case, and a second map of all of them (100,000 entries for
 * as many peers) cost a lookup and an entry more for each file.
 */
class CaselessPaths {
  /** Lower-case path → the file's own, for each file whose path is not its lower case. */
  private readonly capitals = new Map<string, string>();
  /** Lower-case directory → each spelling of it, with the first file below it. */
  private readonly dirs = new Map<string, Map<string, string>>();
  /** The directory of the path before: its parents were checked then, and files come a directory at a time. */
  private lastDir = '';

  constructor(private readonly earlier: ReadonlyMap<string, unknown>) {}

  /** The file before whose path has this lower case, if any. */
  private fileOf(lower: string): string | undefined {
    return this.capitals.get(lower) ?? (this.earlier.has(lower) ? lower : undefined);
  }

  add(path: string): void {
    if (this.earlier.has(path)) throw new EmitError(`internal: a target wrote ${path} twice`);
    const lower = path.toLowerCase();
    const other = lower === path ? this.capitals.get(lower) : this.fileOf(lower);
    if (other !== undefined) throw new EmitError(`internal: a target wrote ${other} and ${path}, one file where case does not count (macOS, Windows)`);
    for (const [dir, below] of this.dirs.get(lower) ?? []) if (dir !== path) throw fileAndDirectory(path, below);
    if (lower !== path) this.capitals.set(lower, path);
    // A file that comes later named like one of these directories meets them in this.dirs above.
    const last = path.lastIndexOf('/');
    if (last < 0 || (last === this.lastDir.length && path.startsWith(this.lastDir))) return;
    this.lastDir = path.slice(0, last);
    for (let slash = path.indexOf('/'); slash >= 0 && slash <= last; slash = path.indexOf('/', slash + 1)) {
      const dir = path.slice(0, slash);
      const lowerDir = dir.toLowerCase();
      const file = this.fileOf(lowerDir);
      if (file !== undefined && file !== dir) throw fileAndDirectory(file, path);
      let spellings = this.dirs.get(lowerDir);
      if (spellings === undefined) this.dirs.set(lowerDir, (spellings = new Map()));
      if (!spellings.has(dir)) spellings.set(dir, path);
    }
  }
}

function fileAndDirectory(file: string, below: string): EmitError {
  return new EmitError(`internal: a target wrote ${file} and ${below}, a file and a directory of one name where case does not count (macOS, Windows)`);
}

/** Whether a text seen part by part ends with LF and has no CR LF, also where one part ends and the next begins. */
class LineEnds {
  private last = 0;
  private crlf = false;

  see(text: string): void {
    if (text === '') return;
    if (text.includes('\r\n') || (this.last === 13 && text.charCodeAt(0) === 10)) this.crlf = true;
    this.last = text.charCodeAt(text.length - 1);
  }

  get ok(): boolean {
    return this.last === 10 && !this.crlf;
  }
}

/**
 * The sink a build renders into: checks each file, hands it to `take`
 * (which returns its sha256) and keeps only its hash. `failure` is the
 * error it threw, so that one thrown by a renderer can be told from it.
 */
export class ArrivingFiles implements OutputSink {
  /** path → sha256, in the order the files came. */
  readonly hashes = new Map<string, string>();
  failure: unknown;
  /** Checks each path against those of `hashes`, which holds it once it is taken. */
  private readonly caseless = new CaselessPaths(this.hashes);

  constructor(private readonly take: (path: string, text: string) => string) {
    this.caseless.add(MANIFEST);
  }

  set(path: string, text: string): this {
    try {
      this.admit(path);
      if (!text.endsWith('\n') || text.includes('\r\n')) throw lineEndsError(path);
      this.taken(path, this.take(path, text));
    } catch (error) {
      this.failure = error;
      throw error;
    }
    return this;
  }

  protected admit(path: string): void {
    checkRelativePath(path);
    if (path === MANIFEST) throw new EmitError(`internal: a target wrote ${MANIFEST}`);
    this.caseless.add(path);
  }

  protected taken(path: string, hash: string): void {
    this.hashes.set(path, hash);
    crashPointAt('emit:staging', this.hashes.size - 1);
  }
}

/**
 * A sink that also takes a long text in parts (setParts), each handed to
 * `takeParts` as it is made: the text is never one string, nor its pieces
 * one list (the filter rules of 10,000 peers are 38 MB).
 */
export class ArrivingParts extends ArrivingFiles {
  constructor(
    take: (path: string, text: string) => string,
    private readonly takeParts: (path: string, write: PartsWriter) => string,
  ) {
    super(take);
  }

  setParts(path: string, write: PartsWriter): this {
    // An error while the renderer makes a part is its own, not the sink's.
    let rendering = false;
    try {
      this.admit(path);
      const ends = new LineEnds();
      const hash = this.takeParts(path, (part) => {
        rendering = true;
        write((text) => {
          rendering = false;
          ends.see(text);
          part(text);
          rendering = true;
        });
        rendering = false;
      });
      if (!ends.ok) throw lineEndsError(path);
      this.taken(path, hash);
    } catch (error) {
      if (!rendering) this.failure = error;
      throw error;
    }
    return this;
  }
}

function lineEndsError(path: string): EmitError {
  return new EmitError(`internal: ${path} must use LF line ends and end with a newline`);
}

/**
 * A directory of a stage that files are created in, with directories 0755
 * and files 0644 whatever the umask or a default ACL of the directory above
 * (which, where there is one, masks the mode a file is created with instead
 * of the umask). The mode a file is created with depends only on the umask
 * and the default ACL of its directory, both fixed while a build writes its
 * private stage: the first file of each directory is looked at, and the mode
 * of each file there set on its descriptor only when that one's was not
 * 0644 already (setting it on every file was 10,000 calls for nothing).
 */
export class StagedDirectory {
  /** Each directory made → whether a file created there needs its mode set. */
  private readonly made: Map<string, boolean | undefined>;
  /**
   * The directory of the file written last: its part of that file's path
   * (with the slash after it), its path in the stage, and whether a file
   * there needs its mode set. Files come a directory at a time (10,000
   * client files in one): a file found in it makes no path of its
   * directory and looks nothing up, where each made a new string, hashed
   * to find it among the directories made, twice.
   */
  private last: { prefix: string; dir: string; setMode: boolean } | undefined;

  constructor(private readonly root: string) {
    mkdirSync(root);
    chmodSync(root, 0o755);
    this.made = new Map([[root, undefined]]);
  }

  private makeDir(dir: string): void {
    if (this.made.has(dir)) return;
    this.makeDir(dirname(dir));
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    this.made.set(dir, undefined);
  }

  /** Creates `path` (plain: checked by ArrivingFiles, so joined as it is); `fill` hands the writer its bytes, in order. */
  write(path: string, fill: (each: (bytes: Buffer) => void) => void): void {
    const fd = this.create(path);
    try {
      fill((bytes) => writeAll(fd, bytes));
    } finally {
      closeSync(fd);
    }
  }

  /** Creates `path` as `write` does, open for the caller to write and close (a rebuild stages a text from its first difference on). */
  create(path: string): number {
    const file = `${this.root}/${path}`;
    // The length of the directory's part of the path, its slash included (0 for a file at the top).
    const prefix = path.lastIndexOf('/') + 1;
    const last = this.last;
    const same = last !== undefined && last.prefix.length === prefix && path.startsWith(last.prefix);
    const dir = same ? last.dir : prefix === 0 ? this.root : `${this.root}/${path.slice(0, prefix - 1)}`;
    if (!same) this.makeDir(dir);
    const fd = openSync(file, 'wx', OUTPUT_FILE_MODE);
    try {
      let setMode = same ? last.setMode : this.made.get(dir);
      if (setMode === undefined) this.made.set(dir, (setMode = (fstatSync(fd).mode & 0o7777) !== OUTPUT_FILE_MODE));
      if (!same) this.last = { prefix: path.slice(0, prefix), dir, setMode };
      if (setMode) fchmodSync(fd, OUTPUT_FILE_MODE);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    return fd;
  }
}
