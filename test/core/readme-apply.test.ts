// The README's "Apply, then verify" is the operator's path through what gen
// writes: every file to install, run or follow is named there, in an order
// where each step comes after what it needs (bridges before the NICs on them,
// the firewall VM's NICs before the configuration that assigns them, the
// backup server's cache disk and the IAM user before pbs/steps.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readExample, render, root } from '../helpers.js';

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const start = readme.indexOf('\n## Apply, then verify\n');
const apply = readme.slice(start, readme.indexOf('\n## ', start + 1));

/** What the operator installs, runs or follows, by the generic name the README gives it. */
const KINDS: [RegExp, string][] = [
  [/^[^/]+\/proxmox\/[^/]+\/interfaces$/, 'out/<site>/proxmox/<host>/interfaces'],
  [/^[^/]+\/proxmox\/[^/]+\/apply-interfaces\.sh$/, 'out/<site>/proxmox/<host>/apply-interfaces.sh'],
  [/^[^/]+\/proxmox\/[^/]+\/guests\.sh$/, 'out/<site>/proxmox/<host>/guests.sh'],
  [/^[^/]+\/opnsense\/[^/]+\.xml$/, 'gen opnsense merge'],
  [/^[^/]+\/steps\.md$/, 'out/<site>/steps.md'],
  [/^aws\/terraform\//, 'terraform apply'],
  [/^[^/]+\/opnsense\/ipsec-steps\.md$/, 'out/<site>/opnsense/ipsec-steps.md'],
  [/^[^/]+\/pbs\/steps\.md$/, 'out/<site>/pbs/steps.md'],
  [/^[^/]+\/pbs\/s3-endpoint\.sh$/, 'pbs/s3-endpoint.sh'],
  [/^[^/]+\/pbs\/access\.sh$/, 'pbs/access.sh'],
  [/^[^/]+\/proxmox\/backup-jobs\.sh$/, 'proxmox/backup-jobs.sh'],
  [/^[^/]+\/proxmox\/access\.sh$/, 'out/<site>/proxmox/access.sh'],
  [/^[^/]+\/wireguard\/[^/]+\.conf$/, 'gen wg export'],
];

function position(name: string): number {
  const at = apply.indexOf(name);
  expect(at, `${name} in the README's Apply steps`).toBeGreaterThanOrEqual(0);
  return at;
}

describe("the README's Apply steps", async () => {
  const topologies = [readExample('homelab'), readExample('vlan-hosting'), readFileSync(join(root, 'test/aws/fixtures/site-to-site.yaml'), 'utf8')];
  const paths = (await Promise.all(topologies.map(render))).flatMap((files) => [...files.keys()]);

  it('name every kind of file gen writes for the operator to install, run or follow', () => {
    const named = new Set<string>();
    for (const path of paths) for (const [pattern, name] of KINDS) if (pattern.test(path)) named.add(name);
    // Each kind is written by one of these topologies: a kind no longer written would leave its line untested.
    expect([...named].sort()).toEqual(KINDS.map(([, name]) => name).sort());
    for (const name of named) position(name);
  });

  it('come in an order where each step follows what it needs', () => {
    const before = (first: string, then: string) => expect(position(first), `${first} before ${then}`).toBeLessThan(position(then));
    // pve-common PVE/Network.pm: a NIC on a bridge that does not exist does not start ("bridge ... does not exist").
    before('out/<site>/proxmox/<host>/interfaces', 'out/<site>/proxmox/<host>/guests.sh');
    // The script installs the file next to it: it is the step that applies the interfaces.
    before('out/<site>/proxmox/<host>/apply-interfaces.sh', 'out/<site>/proxmox/<host>/guests.sh');
    // OPNsense 26.7 diag_backup.php postpones the reboot of a restore whose interfaces are missing; rc.bootup stops
    // at the console's interface assignment: the firewall VM needs the NICs guests.sh gives it first.
    before('out/<site>/proxmox/<host>/guests.sh', 'gen opnsense merge');
    // pbs/steps.md formats the cache disk guests.sh adds, and creates the access key of the user Terraform makes.
    before('out/<site>/proxmox/<host>/guests.sh', 'out/<site>/pbs/steps.md');
    before('terraform apply', 'out/<site>/pbs/steps.md');
    // ipsec-steps.md takes the tunnel addresses and keys from terraform output.
    before('terraform apply', 'out/<site>/opnsense/ipsec-steps.md');
    // steps.md's firewall steps are done once the configuration is restored.
    before('gen opnsense merge', 'out/<site>/steps.md');
  });
});
