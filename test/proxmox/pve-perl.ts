// Proxmox VE's own Perl for tests: test/tools/pve-perl extracts it from the
// upstream mirrors that PVE_MIRROR locates. Without them (CI has none) the
// tests that need it skip, and their title says why.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../helpers.js';

const tool = join(root, 'test/tools/pve-perl');
const mirror = process.env.PVE_MIRROR;

/** Undefined when the upstream mirrors are there; else why tests that need them skip. */
export const whyNoUpstream: string | undefined = !mirror
  ? 'PVE_MIRROR is not set (the directory holding the proxmox+<repo>/repo git mirrors)'
  : !existsSync(join(mirror, 'proxmox+pve-common/repo'))
    ? `PVE_MIRROR=${mirror} has no proxmox+pve-common/repo`
    : undefined;

let cache: string | undefined;

/**
 * The extracted upstream code. setup.sh keeps it in a directory named after the commits and the script,
 * so it extracts (and runs upstream's own tests) once, not once per test file; each file still runs
 * setup.sh, and a missing Perl package fails here with the apt-get line.
 */
export function pvePerl(): { cache: string; commits: string } {
  if (!cache) {
    const env: NodeJS.ProcessEnv = { ...process.env, PVE_MIRROR: mirror };
    delete env.PVE_PERL_CACHE;
    cache = execFileSync('bash', [join(tool, 'setup.sh')], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  }
  return { cache, commits: readFileSync(join(cache, 'COMMITS'), 'utf8') };
}

export interface OptcheckResult {
  line: string;
  ok: boolean;
  /** Proxmox's error message, or the note of a valid line ("prints as: …", "list: …"). */
  detail: string;
}

/** Runs optcheck.sh on the lines; one result per line, in order. */
export function optcheck(lines: readonly string[]): OptcheckResult[] {
  const { cache: dir } = pvePerl();
  // On stdin: nothing written into the shared extraction.
  const run = spawnSync('bash', [join(tool, 'optcheck.sh')], { input: `${lines.join('\n')}\n`, env: { ...process.env, PVE_PERL_CACHE: dir }, encoding: 'utf8' });
  if (run.status !== 0 && run.status !== 1) throw new Error(`optcheck failed (${run.status}): ${run.stderr}`);
  const out = run.stdout.trimEnd().split('\n');
  if (out.length !== lines.length) throw new Error(`optcheck answered ${out.length} lines for ${lines.length}:\n${run.stdout}${run.stderr}`);
  return out.map((text, i) => {
    const error = /^ERROR (.*) => (.*)$/.exec(text);
    if (error) return { line: lines[i]!, ok: false, detail: error[2]! };
    const ok = /^OK {4}(.*?)(?: {2}\((.*)\))?$/.exec(text);
    if (!ok) throw new Error(`optcheck line not understood: ${text}`);
    return { line: lines[i]!, ok: true, detail: ok[2] ?? '' };
  });
}
