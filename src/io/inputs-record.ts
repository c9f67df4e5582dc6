// What made an output tree: the record a build keeps of its inputs (the
// sha256 of everything its rendered files depend on, src/commands/build-inputs.ts)
// beside the tree's lock, outside the tree (in out/ or in its MANIFEST, a
// comment's edit of the topology would change out/ and fail
// `gen build --check` in CI). It names the MANIFEST (its sha256) and the
// size of each file that MANIFEST lists, in its order, then the last few
// fingerprints of inputs that rendered to it (a comment's edit, a run under
// a profiler or another locale: each renders the same tree).
// Rendering is deterministic, so each line stays true once written: it is
// written (atomically, after the MANIFEST is in place) only with what the
// build itself rendered, and it applies only while out/ holds that very
// MANIFEST. A record that cannot be read or written costs a full build,
// never a wrong one.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { writeCheckedFile } from './atomic-write.js';

const FORM = 'gen build inputs 1';

/** How many fingerprints of inputs a record keeps, newest first. */
export const RECORDED_INPUTS = 8;

export interface InputsRecord {
  /** sha256 of everything the rendered files depend on, for each build that rendered this MANIFEST (newest first). */
  inputs: string[];
  /** sha256 of the MANIFEST those inputs render to. */
  manifest: string;
  /** sha256 of the sizes of the files that MANIFEST lists, in its order (sizesDigest). */
  sizes: string;
}

/** The digest of file sizes, given in the order of the MANIFEST that lists the files. */
export function sizesDigest(sizes: Iterable<number>): string {
  const hash = createHash('sha256');
  for (const size of sizes) hash.update(`${size}\n`);
  return hash.digest('hex');
}

const LINE = /^[0-9a-f]{64}$/;

/** The record in `file`; undefined when there is none or it is not one gen writes. */
export function readInputsRecord(file: string): InputsRecord | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const [form, manifest, sizes, ...inputs] = text.split('\n');
  if (form !== FORM || inputs.pop() !== '' || inputs.length === 0 || inputs.length > RECORDED_INPUTS || ![manifest, sizes, ...inputs].every((line) => LINE.test(line ?? ''))) return undefined;
  return { manifest: manifest!, sizes: sizes!, inputs };
}

/** Replaces the record in `file` at once (a kill leaves the previous one or this); a failure leaves the previous one, which stays true. */
export function writeInputsRecord(file: string, record: InputsRecord): void {
  try {
    writeCheckedFile(file, `${FORM}\n${record.manifest}\n${record.sizes}\n${record.inputs.slice(0, RECORDED_INPUTS).join('\n')}\n`, 0o600, true);
  } catch {
    // No record, or the previous one: the next build renders.
  }
}
