// The ifupdown2 builds the interfaces tests run: Debian's package (the host's
// ifupdown2 3.0.0) always, and the one Proxmox VE 9 ships, built from
// upstream 3.3.0 with Proxmox's patches by test/scripts/ifupdown2-pve-tree.sh,
// where IFUPDOWN2_GIT (a git dir of github.com/CumulusNetworks/ifupdown2) and
// IFUPDOWN2_PVE_GIT (a git dir of Proxmox's ifupdown2 packaging) are set.
// Without them (CI has none) the tests of that build skip, and their title
// says why.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../helpers.js';
import { missing } from '../system-tools.js';

export interface Ifupdown2Build {
  name: string;
  /** Undefined when the build can run; else why its tests skip. */
  why: string | undefined;
  /** The environment of the scripts in test/scripts that run it (builds the tree on first use). */
  env(): Record<string, string>;
}

const upstream = process.env.IFUPDOWN2_GIT;
const packaging = process.env.IFUPDOWN2_PVE_GIT;
const whyNoSnapshot = !upstream || !packaging
  ? 'IFUPDOWN2_GIT or IFUPDOWN2_PVE_GIT is not set (git dirs of CumulusNetworks/ifupdown2 and of Proxmox ifupdown2 packaging)'
  : [upstream, packaging].some((dir) => !existsSync(join(dir, 'HEAD')))
    ? `IFUPDOWN2_GIT=${upstream} or IFUPDOWN2_PVE_GIT=${packaging} is not a git dir`
    : undefined;

let tree: string | undefined;

/** The directory ifupdown2-pve-tree.sh built (once per process; the script caches it across runs). */
export function pveTree(): string {
  tree ??= execFileSync(join(root, 'test/scripts/ifupdown2-pve-tree.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  return tree;
}

/** The patches of Proxmox's packaging applied to the upstream tree, and those skipped (not applying). */
export function pvePatches(): { applied: string[]; skipped: string[] } {
  const lines = readFileSync(join(pveTree(), 'PATCHES'), 'utf8').split('\n');
  const of = (word: string) => lines.filter((l) => l.startsWith(`${word} `)).map((l) => l.slice(word.length + 1));
  return { applied: of('applied'), skipped: of('skipped') };
}

export const debianBuild: Ifupdown2Build = { name: "Debian's ifupdown2 3.0.0", why: undefined, env: () => ({}) };

export const pveBuild: Ifupdown2Build = {
  name: "Proxmox VE 9's ifupdown2 (3.3.0 with Proxmox's patches)",
  // ifupdown2-pve-tree.sh builds it with these (git too, which the test run has).
  why: whyNoSnapshot ?? missing(['patch', 'python3', 'sha256sum'], false),
  env: () => ({ IFUPDOWN2_TREE: pveTree() }),
};

export const builds: readonly Ifupdown2Build[] = [debianBuild, pveBuild];
