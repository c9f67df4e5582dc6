// Real HAProxy binaries of the series the releases install (os-haproxy's
// PLUGIN_DEPENDS: the release tables' `haproxy`), which the operator
// supplies: HAPROXY_BINARIES names a directory holding one per series,
// <dir>/v3.2/haproxy, <dir>/v3.0/haproxy, with the features the box's
// package has (Lua and QUIC: the plugin's global section names
// tune.lua.bool-sample-conversion and limited-quic). The repository holds no
// way to build one. Where a series has none, its checks skip and say so;
// Debian's haproxy (2.6), older than any of them, runs the checks everywhere.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RELEASE_TABLES, releaseFacts } from '../../src/targets/opnsense/releases.js';

const dir = process.env.HAPROXY_BINARIES;
const BINARIES = dir && existsSync(dir) ? dir : undefined;

/** The HAProxy series the releases install. */
export const HAPROXY_SERIES = [...new Set(RELEASE_TABLES.flatMap((t) => t.ranges.flatMap((r) => (r.haproxy === undefined ? [] : [r.haproxy]))))];

/** The HAProxy series the release `tag` (25.7.11) installs. */
export function haproxySeries(tag: string): string {
  return releaseFacts(tag)!.haproxy;
}

/** The supplied binary of HAProxy `series`, or undefined when none is. */
export function haproxyBinary(series: string): string | undefined {
  const path = join(BINARIES ?? '', `v${series}`, 'haproxy');
  return BINARIES !== undefined && existsSync(path) ? path : undefined;
}

/** Why no supplied binary of `series` can run here, or undefined. */
export function whyNoHaproxy(series: string): string | undefined {
  if (!BINARIES) return `HAPROXY_BINARIES (a directory of HAProxy binaries by series: <dir>/v${series}/haproxy) is not set`;
  return haproxyBinary(series) ? undefined : `HAPROXY_BINARIES has no v${series}/haproxy`;
}

/** The series `binary -v` says it is ("3.2" of "HAProxy version 3.2.0-e134140d2 ..."). */
export function binarySeries(binary: string): string | undefined {
  return /^HAProxy version (\d+\.\d+)[.-]/.exec(spawnSync(binary, ['-v'], { encoding: 'utf8' }).stdout)?.[1];
}

/** A HAProxy the checks run: Debian's (`haproxy` on the PATH) or a supplied binary of a release's series. */
export interface Haproxy {
  /** "Debian's HAProxy" or "HAProxy 3.2", in titles. */
  name: string;
  binary: string;
  /** Debian's: the rendered file needs forDebianHaproxy()'s edits; a release's reads it as rendered. */
  debian: boolean;
  /** A release's: the series it must be (binarySeries()). */
  series?: string;
}

export const DEBIAN_HAPROXY: Haproxy = { name: "Debian's HAProxy", binary: 'haproxy', debian: true };

/** The supplied HAProxy of `series`, or undefined. */
export function suppliedHaproxy(series: string): Haproxy | undefined {
  const binary = haproxyBinary(series);
  return binary === undefined ? undefined : { name: `HAProxy ${series}`, binary, debian: false, series };
}
