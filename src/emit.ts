// Stage 6: write the output tree so that a kill at any instant leaves it
// whole, or whole once the next build has run. A first build writes the
// tree into a private staging directory on out/'s file system
// (src/io/staging.ts) and renames it into place. Later builds change only
// what changed: the files whose sha256 differs from the one in out/'s
// MANIFEST (or that were changed by hand since, see `unchanged`) are
// staged with the new MANIFEST and a journal that lists the files to
// remove; one rename commits the update, which then moves each staged file
// over its old one, removes the files no longer produced and puts the new
// MANIFEST in last. A build that finds a committed update of a killed run
// finishes it before anything else, so out/ is the previous tree or the
// new one. Unchanged files keep their inode and mtime; Terraform's working
// files (state, .terraform/) stay where they are. gen replaces only a
// directory it can prove it wrote (src/output-tree.ts), never one that
// holds the topology, the secrets directory or a git repository. One build
// at a time updates a tree (a lock file beside its staging directories).
// The files are taken as they are rendered (emitRendered): each is written
// into the stage, or hashed and dropped when out/ has it already, while the
// next is rendered, so a build never holds its whole output; nothing but
// the private stage is written before the last file has come and every
// check of the whole tree has passed.
// A build given the fingerprint of its inputs renders nothing when they are
// those that made the tree as it is (`current`): the record of them
// (src/io/inputs-record.ts) names out/'s MANIFEST, which is unchanged, and
// every file it lists passes `unchanged`, with its size from the record.
// Layer: emit. Imports only its own layer and the shared leaves: it writes
// any tree of files.
//
// Crash points (a kill at each leaves a consistent state, test/hardening/kill.test.ts):
//   emit:staging:N    N+1 files are rendered, and staged or found unchanged; out/ untouched
//   emit:staged       the new tree, or the changed files, are staged; out/ untouched
//   emit:committed    the update is committed; out/ untouched; the next run finishes it
//   emit:applying:N   N+1 files of the update are removed or in place; the next run finishes it
//   emit:applied      the new out/ is in place; the staging directory remains
// Recovery (at the start of the next build) finishes a committed update,
// puts back an out/ that an earlier version of gen moved aside when out/
// is missing and the tree matches its MANIFEST, and removes the staging
// directories of dead runs.
import { accessSync, chmodSync, constants, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import { UTF8_PIECE, Utf8Scratch } from './io/utf8-scratch.js';
import { crashPoint, crashPointAt } from './io/crash-points.js';
import { ReportedError, UsageError, isSystemError, reasonOf, systemErrorSentence } from './io/errors.js';
import { acquireLockSync } from './io/lock.js';
import { otherMakerRuns } from './io/processes.js';
import { realPath, within } from './io/real-paths.js';
import { type InputsRecord, readInputsRecord, sizesDigest, writeInputsRecord } from './io/inputs-record.js';
import { buildLockOf, createStage, inputsRecordOf, stagesOf } from './io/staging.js';
import { statusAfter } from './io/status-after.js';
import { OLD_BYTES_WINDOW, RebuiltParts, openOld } from './io/rebuilt-parts.js';
import { ArrivingFiles, ArrivingParts, EmitError, type OutputSink, type PartsWriter, StagedDirectory } from './io/tree-files.js';
import { OUTPUT_FILE_MODE, manifest, manifestBytes, manifestOrder, outputModeKept, plainRelative, sha256, sha256Of, sha256OfParts } from './manifest.js';
import { MANIFEST } from './paths.js';
import { NotOwnedError, type OwnedTree, emptyTree, ownedTree, terraformDirs, walk, workingEntryOf } from './output-tree.js';
import { isTerraformStateEntry } from './targets/terraform/working-files.js';

export { EmitError, MANIFEST, manifest, type OutputSink };

export interface EmitOptions {
  /** Files and directories that must never be inside the replaced tree (the topology, the secrets directory). */
  protect?: readonly { path: string; what: string }[];
  /**
   * The sha256 of everything the rendered files depend on
   * (src/commands/build-inputs.ts): when it is the record's for out/ as it
   * is, nothing is rendered. Without it, the build renders and keeps no record.
   */
  inputs?: string;
}

/** Refuses an output directory that would take the topology, the secrets or a repository with it. */
function checkProtected(target: string, outDir: string, options: EmitOptions): void {
  const real = realPath(target);
  for (const { path, what } of options.protect ?? []) {
    if (within(realPath(path), real) || within(resolvePath(path), target)) {
      throw new UsageError(`refusing to write to ${outDir}: it holds ${what} ${path}, and gen owns the whole output directory (it removes every file there it no longer writes). Choose a directory of its own, such as out`);
    }
  }
}

/**
 * Finishes a committed update of a killed run, puts back an out/ that a
 * killed run of an earlier version left moved aside, and removes the
 * staging directories of dead runs. Returns the moved-aside trees it left
 * where they are (one that no longer matches its MANIFEST, or one of a
 * process that still runs), so that no build writes a new out/ while the
 * previous one, with Terraform's state, sits elsewhere. A build calls it
 * holding the build lock: no other build is updating out/ then.
 */
export function recover(outDir: string, warn: (message: string) => void = () => {}): string[] {
  const target = resolvePath(outDir);
  const left: string[] = [];
  for (const stage of stagesOf(target)) {
    const old = join(stage.path, 'old');
    // Whatever its pid now names: the run that committed it held the build lock, which is ours now.
    if (existsSync(join(stage.path, APPLY))) {
      finishUpdate(stage.path, target, outDir, warn);
      continue;
    }
    if (otherMakerRuns(stage.maker)) {
      if (existsSync(old) && !existsSync(target)) left.push(`${old} (process ${stage.maker.pid} still runs: a build in its swap, or a process that reuses the pid of a killed one)`);
      continue;
    }
    if (existsSync(old)) {
      if (!existsSync(target)) {
        try {
          ownedTree(old, { verify: true });
        } catch (error) {
          if (!(error instanceof NotOwnedError)) throw error;
          left.push(`${old} (moved aside by a build that was killed, but ${error.reason})`);
          continue;
        }
        renameSync(old, target);
      } else if (workingEntriesMissing(old, target).length > 0) {
        warn(`${old} holds Terraform files (${workingEntriesMissing(old, target).join(', ')}) that ${outDir} lacks; gen left it there: move them back yourself`);
        continue;
      }
    }
    rmSync(stage.path, { recursive: true, force: true });
  }
  return left;
}

/** Terraform entries of a moved-aside tree that the current tree does not have. */
function workingEntriesMissing(old: string, target: string): string[] {
  let working: string[];
  try {
    working = ownedTree(old).working;
  } catch {
    return [];
  }
  return working.filter((entry) => !existsSync(join(target, entry)));
}

/** A build's outcome: whether out/ changed, and how many files the tree has (its MANIFEST too). */
export interface Emitted {
  written: boolean;
  files: number;
}

/** An error of a renderer, passed through as it is (a file system error there is not one of out/). */
class RenderFailure {
  constructor(readonly error: unknown) {}
}

/**
 * Writes the tree; false when out/ already held exactly these files. A
 * failure of the file system (no space, no permission, read-only) is one
 * sentence about out/, whatever staging path it happened on.
 */
export function emitTree(outDir: string, files: ReadonlyMap<string, string>, options: EmitOptions = {}): boolean {
  return emitRendered(
    outDir,
    (sink) => {
      for (const [path, text] of files) sink.set(path, text);
    },
    options,
  ).written;
}

/**
 * Writes the tree whose files `render` hands to the sink it is given, each
 * as it comes (see the top of this file): the build's output is never held
 * whole. The checks of out/ (protected, gen's own, not locked by another
 * build) come first; an error of `render` leaves out/ as it was.
 */
export function emitRendered(outDir: string, render: (files: OutputSink) => void, options: EmitOptions = {}): Emitted {
  try {
    return emit(outDir, render, options);
  } catch (error) {
    if (error instanceof RenderFailure) throw error.error;
    if (isSystemError(error)) {
      // A path inside out/ is the user's to fix (a directory they made unreadable); a staging path is gen's own, so out/ is named.
      const target = resolvePath(outDir);
      const inside = error.path !== undefined && within(resolvePath(error.path), target) ? resolvePath(error.path) : undefined;
      throw new ReportedError(inside === undefined || inside === target ? `cannot write ${outDir}: ${reasonOf(error)}` : systemErrorSentence(error, join(outDir, relative(target, inside))));
    }
    throw error;
  }
}

function emit(outDir: string, render: (files: OutputSink) => void, options: EmitOptions): Emitted {
  const target = resolvePath(outDir);
  checkProtected(target, outDir, options);
  makeParents(dirname(target));
  // Fail before any work when out/ cannot be replaced at all.
  accessSync(dirname(target), constants.W_OK);
  const release = acquireLockSync(buildLockOf(target), (holder) => `another gen build is writing ${outDir} (${holder}); try again when it has finished`);
  try {
    return emitLocked(outDir, target, render, options.inputs);
  } finally {
    release();
  }
}

function emitLocked(outDir: string, target: string, render: (files: OutputSink) => void, inputs: string | undefined): Emitted {
  let left = recover(outDir, (message) => process.stderr.write(`gen: ${message}\n`));
  // A build of an earlier version of gen may be between its two renames: give it a moment.
  for (let waited = 0; left.length > 0 && !existsSync(target) && waited < 20; waited++) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    left = recover(outDir);
  }
  if (left.length > 0 && !existsSync(target)) {
    throw new EmitError(`${outDir} is missing, and the previous one is still at ${left[0]}: check it, move it back to ${outDir}, then build again`);
  }

  const exists = lstatSync(target, { throwIfNoEntry: false });
  if (!exists) return recorded(target, inputs, writeFresh(target, render));
  if (!exists.isDirectory()) throw new UsageError(`refusing to replace ${outDir}: it is not a directory${exists.isSymbolicLink() ? ' (a symbolic link)' : ''}`);
  let owned: OwnedTree;
  try {
    owned = ownedTree(target);
  } catch (error) {
    if (error instanceof NotOwnedError) throw new UsageError(new NotOwnedError(outDir, error.reason).message);
    throw error;
  }
  if (inputs !== undefined && current(target, owned, inputs)) return { written: false, files: owned.listed.size + 1 };
  return recorded(target, inputs, writeUpdate(outDir, target, owned, render));
}

/** A build's outcome, with what the record of its inputs needs: its MANIFEST's sha256 and the sizes of the files it lists. */
interface Written extends Emitted {
  manifest: string;
  sizes: string;
}

/** Records the inputs of a build whose tree is in place now (kept out of `Emitted`: the record is emit's own). */
function recorded(target: string, inputs: string | undefined, written: Written): Emitted {
  // After the MANIFEST is in place: a kill before this leaves the previous record, which names the previous MANIFEST.
  const file = inputs === undefined ? undefined : inputsRecordOf(target);
  if (file === undefined) return { written: written.written, files: written.files };
  // Other inputs that rendered this same MANIFEST stay (each is true for good); a record of another MANIFEST is replaced.
  const previous = readInputsRecord(file);
  const others = previous?.manifest === written.manifest && previous.sizes === written.sizes ? previous.inputs.filter((each) => each !== inputs) : [];
  writeInputsRecord(file, { inputs: [inputs!, ...others], manifest: written.manifest, sizes: written.sizes });
  return { written: written.written, files: written.files };
}

/**
 * Whether the tree gen wrote in `target` is what `inputs` render to, as it
 * was written: the record of the inputs names its MANIFEST; no killed run
 * left a stage (recovery ran, and removed or finished each); every file the
 * MANIFEST lists passes `unchanged` (its size from the record) and the
 * MANIFEST itself is one gen wrote. ownedTree has refused a file the
 * MANIFEST does not list. Any doubt renders, as a build without a record does.
 */
function current(target: string, owned: OwnedTree, inputs: string): boolean {
  const file = inputsRecordOf(target);
  const record: InputsRecord | undefined = file === undefined ? undefined : readInputsRecord(file);
  if (!record?.inputs.includes(inputs) || record.manifest !== sha256(owned.manifest) || stagesOf(target).length > 0) return false;
  const manifestStat = lstatSync(join(target, MANIFEST), { throwIfNoEntry: false });
  if (!manifestStat?.isFile() || !outputModeKept(manifestStat.mode) || manifestStat.size !== Buffer.byteLength(owned.manifest)) return false;
  const sizes: number[] = [];
  for (const path of owned.listed.keys()) {
    const stat = lstatSync(`${target}/${path}`, { throwIfNoEntry: false });
    // The same test as `unchanged`, which would read a file of the same instant as the MANIFEST back: that one renders.
    if (!stat?.isFile() || !outputModeKept(stat.mode) || !(stat.ctimeMs < manifestStat.ctimeMs)) return false;
    sizes.push(stat.size);
  }
  return sizesDigest(sizes) === record.sizes;
}

/**
 * Renders the tree into `files`, then checks what needs all of its paths:
 * no file where Terraform keeps its own. Returns the Terraform working
 * directories of the tree.
 */
function receive(files: ArrivingFiles, render: (files: OutputSink) => void): Set<string> {
  try {
    render(files);
  } catch (error) {
    if (error === files.failure) throw error;
    throw new RenderFailure(error);
  }
  const tfDirs = terraformDirs(files.hashes.keys());
  for (const path of files.hashes.keys()) {
    if (workingEntryOf(path, tfDirs) !== undefined) throw new EmitError(`internal: a target wrote ${path}, a name Terraform keeps for itself`);
  }
  return tfDirs;
}

/**
 * The first tree in a place where there is none: each file is written into
 * the stage as it comes (a long one part by part, see ArrivingParts), hashed from the bytes written (encoding each text
 * once); the MANIFEST that lists them comes last, so every file gen writes
 * is older than it. Then the stage is renamed into place.
 */
function writeFresh(target: string, render: (files: OutputSink) => void): Written {
  const stage = createStage(target);
  try {
    const staged = new StagedDirectory(join(stage, STAGED));
    const encoder = new Utf8Scratch();
    let hash = '';
    let last: string | undefined;
    const sizes = new Map<string, number>();
    let size = 0;
    const counted =
      (each: (bytes: Buffer) => void) =>
      (bytes: Buffer): void => {
        size += bytes.length;
        each(bytes);
      };
    const files = new ArrivingParts(
      (path, text) => {
        size = 0;
        // A long text is encoded, hashed and written a piece at a time (see Utf8Scratch.pieces).
        staged.write(path, (each) => void (hash = sha256Of(text, encoder, counted(each))));
        sizes.set(path, size);
        last = path;
        return hash;
      },
      (path, write) => {
        size = 0;
        staged.write(path, (each) => void (hash = sha256OfParts(write, encoder, counted(each))));
        sizes.set(path, size);
        last = path;
        return hash;
      },
    );
    receive(files, render);
    const order = manifestOrder(files.hashes);
    const manifestData = manifestBytes(files.hashes, order);
    staged.write(MANIFEST, (each) => each(manifestData));
    // Stamped after every file it lists, so that the next build reads none of them back (see unchanged).
    if (last !== undefined) statusAfter(join(stage, STAGED, MANIFEST), lstatSync(join(stage, STAGED, last)).ctimeMs, OUTPUT_FILE_MODE);
    crashPoint('emit:staged');
    renameSync(join(stage, STAGED), target);
    crashPoint('emit:applied');
    return { written: true, files: files.hashes.size + 1, manifest: sha256(manifestData), sizes: sizesInOrder(sizes, order) };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * An update of the tree gen wrote in `target`: each file is hashed as it
 * comes, once, for its MANIFEST line and to compare with the previous one
 * (its size too); one that differs is staged then, and the others are
 * dropped. The stage is made for the first file that differs: a build of an
 * unchanged topology writes nothing. A text that comes whole is staged once
 * it is hashed; one that comes in parts is compared part by part with the
 * file out/ has and staged from its first difference on (RebuiltParts), and
 * is never held whole.
 */
function writeUpdate(outDir: string, target: string, owned: OwnedTree, render: (files: OutputSink) => void): Written {
  const manifestStat = lstatSync(join(target, MANIFEST), { throwIfNoEntry: false });
  const manifestWritten = manifestStat?.isFile() ? manifestStat.ctimeMs : -Infinity;
  const encoder = new Utf8Scratch();
  let stage: string | undefined;
  let staged: StagedDirectory | undefined;
  const stageOf = (): StagedDirectory => {
    if (staged) return staged;
    stage = createStage(target);
    return (staged = new StagedDirectory(join(stage, STAGED)));
  };
  let changed = 0;
  let committed = false;
  let size = 0;
  let bytes: Buffer | undefined;
  const sizes = new Map<string, number>();
  // The files found equal by reading them back, for the MANIFEST's restamp below.
  const readBack: ReadBack = { latest: -Infinity };
  const count = (piece: Buffer): void => {
    size += piece.length;
    bytes = piece;
  };
  // The one buffer that the old files of texts in parts are read into.
  let oldBytes: Buffer | undefined;
  try {
    // A text in parts: compared with the file out/ has as it comes, and staged from its first difference on.
    const takeParts = (path: string, write: PartsWriter): string => {
      const listed = owned.listed.get(path);
      const old = listed === undefined ? undefined : openOld(`${target}/${path}`);
      const file = new RebuiltParts((oldBytes ??= Buffer.allocUnsafe(OLD_BYTES_WINDOW)), old, () => stageOf().create(path), `${outDir}/${path}`);
      try {
        const hash = sha256OfParts(write, encoder, (piece, before) => file.take(piece, before));
        sizes.set(path, file.size);
        if (!file.finish(hash, listed)) changed++;
        // Kept, found equal by reading it back: for a file whose status changed since the MANIFEST, what `unchanged` records.
        else if (!(old!.ctimeMs < manifestWritten) && old!.ctimeMs > readBack.latest) readBack.latest = old!.ctimeMs;
        return hash;
      } finally {
        file.close();
      }
    };
    const files = new ArrivingParts((path, text) => {
      size = 0;
      const hash = sha256Of(text, encoder, count);
      sizes.set(path, size);
      // A plain relative path (checked by ArrivingFiles) below an absolute one: joined as it is (path.join normalized each, 10,000 a rebuild).
      if (owned.listed.get(path) !== hash || !unchanged(`${target}/${path}`, text, manifestWritten, size, readBack)) {
        changed++;
        // A short text's bytes are still in the encoder's buffer (nothing has encoded since); a long one is encoded again, a piece at a time.
        const whole = text.length <= UTF8_PIECE ? bytes! : undefined;
        stageOf().write(path, (each) => (whole ? each(whole) : encoder.pieces(text, each)));
      }
      return hash;
    }, takeParts);
    const tfDirs = receive(files, render);
    const order = manifestOrder(files.hashes);
    const newManifest = manifestBytes(files.hashes, order);
    const previousTfDirs = terraformDirs(owned.listed.keys());
    // Never a file of Terraform's, whatever a MANIFEST lists.
    const remove = [...owned.listed.keys()].filter((path) => !files.hashes.has(path) && workingEntryOf(path, tfDirs) === undefined && workingEntryOf(path, previousTfDirs) === undefined);
    const result: Written = { written: true, files: files.hashes.size + 1, manifest: sha256(newManifest), sizes: sizesInOrder(sizes, order) };
    // Nothing changed: leave the tree (and its timestamps) as it is, but for the MANIFEST's status, restamped after every
    // file that had to be read back (a checkout writes out/ in path order, the MANIFEST among the first): the files are
    // equal to what it lists, so the next build reads none back and may find out/ current from its record of inputs.
    if (changed === 0 && remove.length === 0 && newManifest.equals(Buffer.from(owned.manifest)) && unchanged(join(target, MANIFEST), newManifest, Infinity)) {
      if (readBack.latest >= manifestWritten) restamp(join(target, MANIFEST), readBack.latest);
      return { written: false, files: result.files, manifest: result.manifest, sizes: result.sizes };
    }
    // Terraform's files stay only in a directory where the new tree has .tf files.
    const stranded = owned.working.filter((entry) => !tfDirs.has(entry.includes('/') ? entry.slice(0, entry.lastIndexOf('/')) : ''));
    if (stranded.length > 0) {
      const entry = stranded[0]!;
      const name = entry.slice(entry.lastIndexOf('/') + 1);
      throw new EmitError(
        `refusing to replace ${outDir}: it holds ${entry}, Terraform's ${isTerraformStateEntry(name) ? 'state' : 'file'}, and the topology no longer writes Terraform files beside it. ` +
          `${isTerraformStateEntry(name) ? 'Destroy those resources (terraform destroy) or move the state elsewhere' : 'Move it elsewhere'}, then build again`,
      );
    }
    // The MANIFEST is always rewritten, so that every file gen wrote is older than it.
    stageOf().write(MANIFEST, (each) => each(newManifest));
    const journal: Journal = { base: sha256(owned.manifest), remove };
    writeFileSync(join(stage!, JOURNAL), `${JSON.stringify(journal)}\n`, { mode: 0o600, flag: 'wx' });
    crashPoint('emit:staged');
    // The commit: from here on, the update is finished, by this run or by the next one (which finds it even when applying it fails here).
    renameSync(join(stage!, STAGED), join(stage!, APPLY));
    committed = true;
    crashPoint('emit:committed');
    applyUpdate(stage!, target, outDir, remove);
    rmSync(stage!, { recursive: true, force: true });
    return result;
  } catch (error) {
    if (stage !== undefined && !committed) rmSync(stage, { recursive: true, force: true });
    throw error;
  }
}

/** The digest of the files' sizes in the order their MANIFEST lists them (`order`, manifestOrder of their hashes). */
function sizesInOrder(sizes: ReadonlyMap<string, number>, order: readonly string[]): string {
  return sizesDigest(order.map((path) => sizes.get(path)!));
}

/** In a staging directory: the changed files (new/ while staged, apply/ once committed) and the journal. */
const STAGED = 'new';
const APPLY = 'apply';
const JOURNAL = 'journal';

interface Journal {
  /** sha256 of the MANIFEST that the update replaces. */
  base: string;
  /** Files of the previous tree that the new one no longer has. */
  remove: string[];
}

/**
 * Whether the file on disk still holds `content` as gen wrote it (a regular
 * file, readable by all and executable by none: outputModeKept, and `size` bytes long: counted when hashed), given that its MANIFEST lists the sha256 of `content`.
 * A file whose status changed before the MANIFEST was written (its ctime,
 * which no one can set back) is as gen left it; one changed at the same
 * instant or later (by hand, by git) is compared byte for byte.
 */
function unchanged(file: string, content: string | Buffer, manifestWritten: number, size = Buffer.byteLength(content), readBack?: ReadBack): boolean {
  const stat = lstatSync(file, { throwIfNoEntry: false });
  if (!stat?.isFile() || !outputModeKept(stat.mode) || stat.size !== size) return false;
  if (stat.ctimeMs < manifestWritten) return true;
  if (!readFileSync(file).equals(Buffer.from(content))) return false;
  if (readBack !== undefined && stat.ctimeMs > readBack.latest) readBack.latest = stat.ctimeMs;
  return true;
}

/** The latest ctime of the files `unchanged` found equal by reading them back. */
interface ReadBack {
  latest: number;
}

/**
 * Moves the MANIFEST's status change past `ctimeMs` by setting the mode it
 * has (its bytes and mtime stay), so that the files it lists, found equal to
 * it, are older than it, as a build that writes them leaves them.
 */
function restamp(manifest: string, ctimeMs: number): void {
  const stat = lstatSync(manifest, { throwIfNoEntry: false });
  if (stat?.isFile()) statusAfter(manifest, ctimeMs, stat.mode & 0o7777);
}

/**
 * Carries out a committed update: removes the files of the previous tree
 * that the new one lacks, moves each staged file into place, then the
 * MANIFEST. Each step can be done again after a kill: a moved file is no
 * longer staged, a removed one is gone.
 */
function applyUpdate(stage: string, target: string, outDir: string, remove: readonly string[]): void {
  const apply = join(stage, APPLY);
  const dirs = new TreeDirectories(target, outDir);
  let step = 0;
  for (const path of remove) {
    if (dirs.existing(dirname(path))) {
      const stat = lstatSync(join(target, path), { throwIfNoEntry: false });
      if (stat && !stat.isDirectory()) {
        unlinkSync(join(target, path));
        dirs.prune(dirname(path));
      }
    }
    crashPointAt('emit:applying', step++);
  }
  const staged: string[] = [];
  walk(apply, (path, kind) => {
    if (kind === 'file' && path !== MANIFEST) staged.push(path);
  });
  let moved: string | undefined;
  for (const path of staged) {
    dirs.make(dirname(path));
    const file = join(target, path);
    const stat = lstatSync(file, { throwIfNoEntry: false });
    // An empty directory where the new tree has a file: nothing of anyone's is in it.
    if (stat?.isDirectory()) {
      if (!emptyTree(file)) throw new EmitError(`cannot write ${outDir}/${path}: a directory with files is in its place`);
      rmSync(file, { recursive: true });
    }
    renameSync(join(apply, path), file);
    moved = file;
    crashPointAt('emit:applying', step++);
  }
  // A rename stamps the file's ctime: the MANIFEST's must come after the last one's, so that the next build reads none of them back (see unchanged).
  if (moved !== undefined) statusAfter(join(apply, MANIFEST), lstatSync(moved).ctimeMs, OUTPUT_FILE_MODE);
  renameSync(join(apply, MANIFEST), join(target, MANIFEST));
  crashPoint('emit:applied');
}

/**
 * Directories inside out/, made with mode 0755 where missing; a path
 * through anything but a real directory (a symbolic link put there since
 * out/ was checked) is never followed.
 */
class TreeDirectories {
  private readonly real = new Set<string>(['.']);

  constructor(
    private readonly target: string,
    private readonly outDir: string,
  ) {}

  /** Whether `dir` (relative) is a real directory all the way down. */
  existing(dir: string): boolean {
    if (this.real.has(dir)) return true;
    if (!this.existing(dirname(dir))) return false;
    const stat = lstatSync(join(this.target, dir), { throwIfNoEntry: false });
    if (!stat?.isDirectory()) return false;
    this.real.add(dir);
    return true;
  }

  /** Makes `dir` (relative) and its parents. */
  make(dir: string): void {
    if (this.real.has(dir)) return;
    this.make(dirname(dir));
    const path = join(this.target, dir);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat) {
      mkdirSync(path);
      chmodSync(path, 0o755);
    } else if (!stat.isDirectory()) {
      throw new EmitError(`cannot write into ${this.outDir}/${dir}: it is not a directory${stat.isSymbolicLink() ? ' (a symbolic link)' : ''}`);
    }
    this.real.add(dir);
  }

  /** Removes `dir` (relative) and its parents while they are empty. */
  prune(dir: string): void {
    for (let d = dir; d !== '.'; d = dirname(d)) {
      try {
        rmdirSync(join(this.target, d));
      } catch {
        return;
      }
      this.real.delete(d);
    }
  }
}

function readJournal(file: string): Journal | undefined {
  let journal: Partial<Journal>;
  try {
    journal = JSON.parse(readFileSync(file, 'utf8')) as Partial<Journal>;
  } catch {
    return undefined;
  }
  const valid = typeof journal.base === 'string' && Array.isArray(journal.remove) && journal.remove.every((path) => typeof path === 'string' && plainRelative(path));
  return valid ? (journal as Journal) : undefined;
}

/** Finishes the committed update in `stage` (see applyUpdate), or drops it when out/ is no longer the tree it updates. */
function finishUpdate(stage: string, target: string, outDir: string, warn: (message: string) => void): void {
  const drop = (): void => rmSync(stage, { recursive: true, force: true });
  if (!existsSync(join(stage, APPLY, MANIFEST))) return drop();
  const out = lstatSync(target, { throwIfNoEntry: false });
  // Removed since: nothing to finish; the build writes a whole new tree.
  if (!out) return drop();
  const journal = readJournal(join(stage, JOURNAL));
  if (!journal) return warn(`${stage} holds an update of ${outDir} without a journal gen can read; gen left it there`);
  let current: string | undefined = '';
  if (out.isDirectory()) {
    try {
      current = readFileSync(join(target, MANIFEST), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') current = undefined;
    }
  }
  if (!out.isDirectory() || current === undefined || sha256(current) !== journal.base) {
    // Someone replaced out/ after the kill: the update is of another tree, and only held generated files.
    warn(`a build that was killed left an update of ${outDir}, which has changed since; gen dropped the update`);
    return drop();
  }
  try {
    applyUpdate(stage, target, outDir, journal.remove);
  } catch (error) {
    if (isSystemError(error)) throw new ReportedError(`cannot finish the update of ${outDir} that a killed build began: ${reasonOf(error)}`);
    throw error;
  }
  drop();
}

/** Creates the missing directories above out/ with mode 0755. */
function makeParents(dir: string): void {
  if (existsSync(dir)) return;
  makeParents(dirname(dir));
  mkdirSync(dir);
  chmodSync(dir, 0o755);
}

/** For `gen build --check`: where a killed run left out/ moved aside, without touching anything. */
export function movedAside(outDir: string): string | undefined {
  const target = resolvePath(outDir);
  if (existsSync(target)) return undefined;
  const stage = stagesOf(target).find((s) => existsSync(join(s.path, 'old')) && !otherMakerRuns(s.maker));
  return stage ? relative(process.cwd(), join(stage.path, 'old')) || '.' : undefined;
}
