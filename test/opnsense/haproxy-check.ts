// `haproxy -c` on a haproxy.conf rendered by the os-haproxy plugin's
// template, with the files the box writes next to it before it starts
// HAProxy: the certificates and CA lists the template names under
// /tmp/haproxy, here in a work directory.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEBIAN_HAPROXY, type Haproxy } from './haproxy-binaries.js';
import { BOX_CA } from './support.js';

/** The rendered config with the files it names under /tmp/haproxy moved to `work`: what a release's HAProxy reads. */
export function asRendered(conf: string, work: string): string {
  return conf.replace(/\/tmp\/haproxy\//g, `${join(work, 'haproxy')}/`);
}

/**
 * The rendered config as Debian's HAProxy (2.6) reads it: it is older than
 * the one OPNsense ships, and these global keywords and the stick-table
 * type name came later (the rest is as rendered); /tmp/haproxy moved to `work`.
 */
export function forDebianHaproxy(conf: string, work: string): string {
  return asRendered(conf, work)
    .replace(/^(\s*)(limited-quic|tune\.lua\.bool-sample-conversion)\b/gm, '$1# $2')
    .replace(/stick-table type ipv4 /g, 'stick-table type ip ');
}

/** The config `haproxy` reads: as rendered for a release's HAProxy, with forDebianHaproxy()'s edits for Debian's. */
export function forHaproxy(haproxy: Haproxy, conf: string, work: string): string {
  return haproxy.debian ? forDebianHaproxy(conf, work) : asRendered(conf, work);
}

interface SslCerts {
  frontends?: Record<string, { crt_list_path: string; certs: Record<string, { path: string; crt: string; key: string }> }>;
}

/**
 * `haproxy -c` (Debian's, or a release's: haproxy-binaries.ts) on `conf`, rendered into `rendered` (the template's output
 * root, with usr/local/etc/haproxy/sslCerts.yaml), with `flags`: its status, the ALERT,
 * WARNING and (with -dD) DIAG lines it printed, and all it printed.
 */
export function checkRendered(conf: string, rendered: string, work: string, haproxy: Haproxy = DEBIAN_HAPROXY, flags: string[] = []): { status: number; complaints: string[]; output: string } {
  // The box writes the certificates the template lists (sslCerts.yaml) to /tmp/haproxy/ssl before it starts HAProxy.
  // (The template lists the default certificate twice; PyYAML, which reads it on the box, keeps the last.)
  const certs = parseYaml(readFileSync(join(rendered, 'usr/local/etc/haproxy/sslCerts.yaml'), 'utf8'), { uniqueKeys: false }) as SslCerts | null;
  const local = (path: string) => join(work, path.replace(/^\/tmp\/haproxy\//, 'haproxy/'));
  mkdirSync(join(work, 'haproxy/ssl'), { recursive: true });
  for (const frontend of Object.values(certs?.frontends ?? {})) {
    const paths: string[] = [];
    for (const cert of Object.values(frontend.certs)) {
      writeFileSync(local(cert.path), Buffer.from(cert.crt, 'base64').toString() + Buffer.from(cert.key, 'base64').toString(), { mode: 0o600 });
      paths.push(local(cert.path));
    }
    writeFileSync(local(frontend.crt_list_path), `${[...new Set(paths)].join('\n')}\n`);
  }
  // The CA list of each server that verifies against a CA of the box (the box's setup script writes them).
  for (const id of conf.matchAll(/ca-file \/tmp\/haproxy\/ssl\/(\S+)\.calist/g)) writeFileSync(local(`/tmp/haproxy/ssl/${id[1]}.calist`), BOX_CA.cert.certificatePem);
  const file = join(work, 'haproxy.cfg');
  writeFileSync(file, forHaproxy(haproxy, conf, work));
  const c = spawnSync(haproxy.binary, ['-c', ...flags, '-f', file], { encoding: 'utf8' });
  const output = `${c.stdout}${c.stderr}`;
  return { status: c.status ?? -1, complaints: output.split('\n').filter((l) => /ALERT|WARNING|DIAG/.test(l)), output };
}
