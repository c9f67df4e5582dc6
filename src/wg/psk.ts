// A peer's pre-shared key (preshared_key in the topology): 32 random bytes
// in base64 in the secrets directory, beside the peer's private key, under
// the same checks (a private regular file of this user, mode 0600). wg(8)
// reads it with key_from_base64 (wireguard-tools src/config.c,
// PresharedKey): 44 characters, one '=' at the end. OPNsense's psk field is
// only a Base64Field (Client.xml), which takes base64 of any length, so gen
// checks the length itself before a key reaches the firewall or a client.
import { join } from 'node:path';
import type { Finding } from '../findings.js';
import type { Model, Peer, Site, WireguardInstance } from '../model.js';
import { peerPskPath } from '../paths.js';
import { readSecret } from '../secrets.js';
import { isWireguardKey } from '../targets/wireguard/keys.js';

/** present: a key; missing: no file; invalid: a file that holds no key. */
export type PskState = 'present' | 'missing' | 'invalid';

/** The state of a peer's pre-shared key file; throws SecretsError when gen must not read it. */
export function pskState(dir: string, site: Site, instance: WireguardInstance, peer: Peer): PskState {
  const key = readSecret(dir, peerPskPath(site.name, instance.name, peer.name));
  return key === undefined ? 'missing' : isWireguardKey(key) ? 'present' : 'invalid';
}

/** The command that makes a peer's pre-shared key. */
export function pskCommand(peer: Peer, scope: string, force: boolean): string {
  return `gen wg psk ${peer.name}${scope}${force ? ' --force' : ''}`;
}

/**
 * What is wrong with a peer's pre-shared key, with the fix; undefined when
 * the key is there. The message never holds the file's text.
 */
export function pskProblem(dir: string, site: Site, instance: WireguardInstance, peer: Peer, scope: string): string | undefined {
  const state = pskState(dir, site, instance, peer);
  const file = join(dir, peerPskPath(site.name, instance.name, peer.name));
  if (state === 'missing') return `peer ${peer.name} of ${instance.name} has preshared_key, and ${file} does not exist: make it with ${pskCommand(peer, scope, false)} (then export its client file again)`;
  if (state === 'invalid') return `${file} is not a WireGuard pre-shared key (44 characters of base64, as wg genpsk prints): make a new one with ${pskCommand(peer, scope, true)} (then export its client file again)`;
  return undefined;
}

/** A peer's pre-shared key from the secrets directory, or the problem that stops its use. */
export function readPsk(dir: string, site: Site, instance: WireguardInstance, peer: Peer, scope: string): { key: string } | { problem: string } {
  const problem = pskProblem(dir, site, instance, peer, scope);
  return problem === undefined ? { key: readSecret(dir, peerPskPath(site.name, instance.name, peer.name))! } : { problem };
}

/**
 * `gen lint`: a peer with preshared_key whose key file is missing or holds
 * no key. A file gen must not read throws SecretsError (secrets/unsafe).
 */
export function pskFindings(model: Model, dir: string): Finding[] {
  const findings: Finding[] = [];
  for (const site of model.sites) {
    for (const instance of site.wireguard) {
      for (const peer of instance.peers) {
        if (!peer.presharedKey) continue;
        const state = pskState(dir, site, instance, peer);
        if (state === 'present') continue;
        const scope = (model.sites.length > 1 ? ` --site ${site.name}` : '') + (site.wireguard.length > 1 ? ` --instance ${instance.name}` : '');
        const file = join(dir, peerPskPath(site.name, instance.name, peer.name));
        findings.push(
          state === 'missing'
            ? {
                rule: 'secrets/psk-missing',
                path: peer.path,
                message: `peer ${peer.name} of ${instance.name} has preshared_key, and ${file} does not exist`,
                hint: `Make it with ${pskCommand(peer, scope, false)}, then deploy and export its client file again; or put the peer's key back at ${file}.`,
              }
            : {
                rule: 'secrets/psk-invalid',
                path: peer.path,
                message: `${file}, the pre-shared key of peer ${peer.name} of ${instance.name}, is not a WireGuard key (44 characters of base64, as wg genpsk prints)`,
                hint: `Make a new one with ${pskCommand(peer, scope, true)}, then deploy and export its client file again.`,
              },
        );
      }
    }
  }
  return findings;
}
