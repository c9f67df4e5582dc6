// The README quotes what gen diff says: each quoted sentence must be one it
// says for a change of the homelab, and the reflection, split DNS and from:
// of a port forward are among them as the code words them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeChanges } from '../../src/diff/facts.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { edit, modelOf, readExample, root } from '../helpers.js';

const A = edit(readExample('homelab'), ['sites', 0, 'policy', 'tests'], []);
const SITE = ['sites', 0];
const PEERS = SITE.concat(['wireguard', 0, 'peers']);
const HOST = SITE.concat(['proxmox', 'hosts', 0]);
const KEY = generateKeyPair().publicKey;

/** The sentences of the README's gen diff row, as quoted there. */
function quoted(): string[] {
  const row = readFileSync(join(root, 'README.md'), 'utf8').split('\n').find((line) => line.startsWith('| `gen diff '))!;
  return [...row.split(' | ')[1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}

/** Each change as [before, after]: the homelab and the homelab with one thing added or changed. */
function changes(): [string, string][] {
  const ann = (keyDate: string) => edit(A, PEERS.concat([3]), { name: 'laptop-ann', role: 'workstation', address: '10.0.1.4', public_key: KEY, key_date: keyDate });
  const bonded = (mode: string) => edit(edit(A, HOST.concat(['bonds']), [{ name: 'bond0', slaves: ['eno1', 'eno2'], mode }]), HOST.concat(['bridges', 0, 'ports']), ['bond0']);
  const forward = (extra: object) => edit(A, SITE.concat(['firewall', 'nat', 'port_forwards']), [Object.assign({ name: 'grafana-in', proto: 'tcp', port: 8080, service: 'grafana' }, extra)]);
  const admin = edit(A, SITE.concat(['haproxy', 'frontends', 1]), { name: 'admin', bind: '0.0.0.0:8443', certificate: 'wildcard', default_backend: 'web' });
  const named = edit(A, SITE.concat(['haproxy', 'frontends', 0, 'hosts']), [{ name: 'cloud.example.com', backend: 'web' }]);
  return [
    [A, ann('2026-01-01')],
    [ann('2026-01-01'), ann('2026-06-01')],
    [A, admin],
    [bonded('802.3ad'), bonded('active-backup')],
    [A, forward({ from: ['198.51.100.0/24'] })],
    [forward({ from: ['198.51.100.0/24'] }), forward({})],
    [forward({}), forward({ reflection: true })],
    [forward({ reflection: true }), forward({ reflection: true, service: 'traefik' })],
    [A, named],
    [named, edit(named, SITE.concat(['haproxy', 'frontends', 0, 'split_dns']), false)],
  ];
}

describe("the README's words of gen diff", () => {
  it('each is one gen diff says, and reflection, split DNS and a forward open only to some sources are among them', async () => {
    const said = new Set<string>();
    for (const [before, after] of changes()) for (const line of describeChanges(await modelOf(before), await modelOf(after))) said.add(line);
    const examples = quoted();
    expect(examples.filter((e) => !said.has(e))).toEqual([]);
    expect(examples.filter((e) => /reflected to clients inside/.test(e))).toHaveLength(2);
    expect(examples.filter((e) => /^HAProxy host name .* answered inside/.test(e))).toHaveLength(2);
    expect(examples.filter((e) => /^(WAN now passes .* to port forward .*, open only to |port forward .* now open to any source \(was only to )/.test(e))).toHaveLength(2);
  });
});
