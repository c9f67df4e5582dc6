// Real dnsmasq binaries of the versions the releases install, which the
// operator supplies: DNSMASQ_BINARIES names a directory holding one per
// version tag, <dir>/v2.91/dnsmasq, <dir>/v2.92/dnsmasq (a distribution's
// package of that version, say). The repository holds no way to build one.
// Where a version has none, its checks skip and say so.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RELEASE_TABLES } from '../../src/targets/opnsense/releases.js';

const dir = process.env.DNSMASQ_BINARIES;
const BINARIES = dir && existsSync(dir) ? dir : undefined;

/** The dnsmasq versions the releases install, and Debian's (the real-tool tests' `dnsmasq`). */
export const DNSMASQ_VERSIONS = [...new Set(['2.90', ...RELEASE_TABLES.flatMap((t) => t.ranges.flatMap((r) => (r.dnsmasq === undefined ? [] : [r.dnsmasq])))])];

/** Why no supplied dnsmasq can run here, or undefined. */
export function whyNoBinaries(): string | undefined {
  return BINARIES ? undefined : 'DNSMASQ_BINARIES (a directory of dnsmasq binaries by version tag: <dir>/v2.91/dnsmasq) is not set';
}

/** The version tag of dnsmasq `version` as a release names it: 2.92rel2 is the port's second revision of 2.92. */
export function dnsmasqTag(version: string): string {
  return `v${version.replace(/rel\d+$/, '')}`;
}

/** The supplied binary of `tag`'s path. */
export function dnsmasqBinary(tag: string): string {
  return join(BINARIES ?? '', tag, 'dnsmasq');
}

/** Whether a binary of `tag` is supplied. */
export function hasTag(tag: string): boolean {
  return BINARIES !== undefined && existsSync(dnsmasqBinary(tag));
}
