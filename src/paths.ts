// Where gen's own files (schema, templates, examples, package.json) are, for
// the compiled modules in dist/ and for the single-file bundle alike; where a
// topology's secrets directory and its keys are (here, not in secrets.ts, so
// that a command can look for them without loading what reads and writes
// keys); and the names of gen's files at the root of an output tree (here,
// not in manifest.ts, so that the rules on names load no hashing).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The name gen is published under: unique on the registry, so `npx gen-topology` finds gen and nothing else. */
export const PACKAGE_NAME = 'gen-topology';

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the gen package directory');
    dir = parent;
  }
}

export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The files at the root of every output tree, beside one directory per site (and aws/). */
export const MANIFEST = 'MANIFEST';
export const PLAN_FILE = 'plan.json';
export const GRAPH_FILE = 'graph.md';
export const TREE_ROOT_FILES: readonly string[] = [MANIFEST, PLAN_FILE, GRAPH_FILE];
/** The directory of the topology's aws section, beside the sites' directories. */
export const AWS_DIR = 'aws';

export const DEFAULT_SECRETS_DIR = '.secrets';

/** The secrets directory that belongs to a topology file: .secrets beside it. */
export function defaultSecretsDir(topologyFile: string): string {
  return join(dirname(topologyFile), DEFAULT_SECRETS_DIR);
}

export function instanceKeyPath(site: string, instance: string): string {
  return join(site, 'wireguard', `${instance}.key`);
}

export function peerKeyPath(site: string, instance: string, peer: string): string {
  return join(site, 'wireguard', instance, 'peers', `${peer}.key`);
}

/** A peer's pre-shared key, beside its private key: a name no key change or orphan search of `.key` files takes. */
export function peerPskPath(site: string, instance: string, peer: string): string {
  return join(site, 'wireguard', instance, 'peers', `${peer}.psk`);
}
