// The secrets directory (default .secrets/, gitignored): private keys that
// never enter the topology or out/. Directories are 0700, files 0600.
// Layout, relative to the directory:
//   <site>/wireguard/<instance>.key          the instance's private key
//   <site>/wireguard/<instance>/peers/<peer>.key  a peer's private key (when gen made it);
//                                            peer names are unique per instance only
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const DEFAULT_SECRETS_DIR = '.secrets';

export function instanceKeyPath(site: string, instance: string): string {
  return join(site, 'wireguard', `${instance}.key`);
}

export function peerKeyPath(site: string, instance: string, peer: string): string {
  return join(site, 'wireguard', instance, 'peers', `${peer}.key`);
}

export function readSecret(dir: string, relative: string): string | undefined {
  const file = join(dir, relative);
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').trim();
}

/** Writes a secret atomically with mode 0600, creating 0700 directories. */
export function writeSecret(dir: string, relative: string, value: string): void {
  const file = join(dir, relative);
  let current = dirname(file);
  const created: string[] = [];
  while (!existsSync(current)) {
    created.push(current);
    current = dirname(current);
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  for (const d of [...created, ...(existsSync(dir) ? [dir] : [])]) chmodSync(d, 0o700);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${value}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
