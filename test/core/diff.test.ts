// gen diff: the words come from the two resolved models; then the patch.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPatch } from 'diff';
import { describe, expect, it, vi } from 'vitest';
import { describeChanges } from '../../src/diff/facts.js';
import { type TreeRender, changedFiles } from '../../src/diff/changed-files.js';
import { filePatch } from '../../src/diff/unified.js';
import { renderAll, renderInto } from '../../src/render/index.js';
import type { Model } from '../../src/model.js';
import { parse as parseYaml } from 'yaml';
import { edit, modelOf, readExample, render, root } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

/** The patch of two whole trees (path → text), file by file in path order, as gen diff wrote it before it streamed: the reference. */
function unifiedTreeDiff(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string {
  return [...new Set([...before.keys(), ...after.keys()])]
    .sort()
    .filter((path) => before.get(path) !== after.get(path))
    .map((path) => filePatch(path, before.get(path), after.get(path)))
    .join('');
}

const A = readExample('homelab');
const C = readExample('aws-vpc');

describe('describeChanges', () => {
  it('a port forward narrowed to named sources, and opened again', async () => {
    const forward = (from?: string[]) => edit(A, ['sites', 0, 'firewall', 'nat', 'port_forwards'], [Object.assign({ name: 'ssh', proto: 'tcp', port: 2222, address: '10.1.0.120', target_port: 22 }, from ? { from } : {})]);
    const [open, office, partners] = await Promise.all([modelOf(forward()), modelOf(forward(['198.51.100.7'])), modelOf(forward(['198.51.100.7', '203.0.113.0/24']))]);
    expect(describeChanges(open, office)).toEqual(['port forward ssh now open only to 198.51.100.7 (was any source)']);
    expect(describeChanges(office, partners)).toEqual(['port forward ssh now open only to 198.51.100.7, 203.0.113.0/24 (was only to 198.51.100.7)']);
    expect(describeChanges(office, open)).toEqual(['port forward ssh now open to any source (was only to 198.51.100.7)']);
    // The upstream router still forwards the port: it cannot tell the sources apart behind its own NAT's port forward.
    expect(describeChanges(await modelOf(A), office)).toEqual([
      'WAN now passes TCP 2222 to port forward ssh, open only to 198.51.100.7',
      'the upstream router must now forward TCP 2222 to 192.168.0.2 (port forward ssh)',
    ]);
  });

  it('a new peer, a new WAN listener', async () => {
    const after = A.replace(
      '          - name: iphone-john',
      '          - name: laptop-ann\n            role: workstation\n            address: 10.0.1.4\n          - name: iphone-john',
    ).replace('          default_backend: web\n', '          default_backend: web\n        - name: admin\n          bind: 0.0.0.0:8443\n          default_backend: web\n');
    const words = describeChanges(await modelOf(A), await modelOf(after));
    expect(words).toEqual([
      'peer laptop-ann added at 10.0.1.4 (workstation)',
      'WAN now passes TCP 8443 to HAProxy',
      'the upstream router must now forward TCP 8443 to 192.168.0.2 (HAProxy frontend admin)',
    ]);
  });

  it('a container given to a service and a VM resized: what guests.sh does to the Proxmox host, in words', async () => {
    const after = A.replace('port: 3000 }', 'port: 3000, container: 220, host: pve, guest: { dns: [1.1.1.1] } }').replace(
      'vm: { id: 102, host: pve, cores: 2, memory_mb: 4096, onboot: true }',
      'vm: { id: 102, host: pve, cores: 4, memory_mb: 8192, onboot: true }',
    );
    expect(after).not.toBe(A);
    const [before, now] = [await modelOf(A), await modelOf(after)];
    // The host's guests.sh changes: the words must not say that nothing does.
    const script = (model: typeof now) => renderAll(model).get('home/proxmox/pve/guests.sh');
    expect(script(now)).not.toBe(script(before));
    const grafana = now.sites[0]!.guests.find((g) => g.id === 220)!;
    expect(describeChanges(before, now)).toEqual([
      'VM 102 (opnsense) changed: cores 2 → 4, memory 4096 MB → 8192 MB',
      `CT 220 (grafana) added: on host pve, NICs net0 vmbr2 ${grafana.nics[0]!.address}/24, DNS 1.1.1.1`,
    ]);
    expect(describeChanges(now, before)).toContain(`CT 220 (grafana) removed (was on host pve, NICs net0 vmbr2 ${grafana.nics[0]!.address}/24, DNS 1.1.1.1)`);
  });

  it("the WireGuard instance's MTU and a peer's keepalive: what every client file carries, in words", async () => {
    const yaml = parseYaml(A) as { sites: { wireguard: { mtu?: number; peers: { name: string; keepalive?: number }[] }[] }[] };
    const instance = yaml.sites[0]!.wireguard[0]!;
    const before = await modelOf(A);
    const mtu = before.sites[0]!.wireguard[0]!.mtu;
    const peer = instance.peers[0]!;
    const keepalive = before.sites[0]!.wireguard[0]!.peers[0]!.keepalive;
    const after = edit(edit(A, ['sites', 0, 'wireguard', 0, 'mtu'], mtu - 40), ['sites', 0, 'wireguard', 0, 'peers', 0, 'keepalive'], keepalive === 0 ? 25 : 0);
    const words = describeChanges(before, await modelOf(after));
    expect(words).toEqual([
      `WireGuard instance ${before.sites[0]!.wireguard[0]!.name} changed: MTU ${mtu} → ${mtu - 40}`,
      `peer ${peer.name} keepalive ${keepalive === 0 ? 'off' : `${keepalive} s`} → ${keepalive === 0 ? '25 s' : 'off'}`,
    ]);
  });

  it('a listener moved to another port: the upstream router must now forward it, and no longer the old one', async () => {
    // The policy test of the old port goes with it; so does the redirect from port 80, which sends clients to 443
    // (haproxy/redirect-target), and is named apart.
    const after = A.replace('          bind: 0.0.0.0:443\n', '          bind: 0.0.0.0:8444\n')
      .replace('{ from: internet, to: wan, proto: tcp, port: 443, expect: accept }', '{ from: internet, to: wan, proto: tcp, port: 8444, expect: accept }')
      .replace(/\n +http_redirect: true[^\n]*/, '');
    expect(after).not.toBe(A);
    const words = describeChanges(await modelOf(A), await modelOf(after));
    expect(words).toContain('the upstream router must now forward TCP 8444 to 192.168.0.2 (HAProxy frontend https)');
    expect(words).toContain('the upstream router no longer needs to forward TCP 443');
    expect(words).toContain('WAN now passes TCP 8444 to HAProxy');
    expect(words).toContain('WAN no longer passes TCP 443 to HAProxy');
  });

  it('a forward given another external port', async () => {
    const after = A.replace('          - { proto: udp, port: 51820, description: WireGuard to the firewall WAN address }', '          - { proto: udp, port: 51820, external_port: 51999 }').replace('        endpoint: vpn.example.com\n', '        endpoint: vpn.example.com\n        endpoint_port: 51999\n');
    const words = describeChanges(await modelOf(A), await modelOf(after));
    expect(words).toEqual([
      'WireGuard instance wg0 changed: endpoint vpn.example.com:51820 → vpn.example.com:51999',
      'the upstream router must now forward UDP 51999 to 192.168.0.2 port 51820 (WireGuard instance wg0)',
      'the upstream router no longer needs to forward UDP 51820',
    ]);
  });

  it('a security group opening and closing', async () => {
    const after = C.replace(
      '          - { proto: tcp, ports: [8080, 22], from: 198.51.100.7/32, description: VPN address only }',
      '          - { proto: tcp, ports: [8080], from: 198.51.100.7/32, description: VPN address only }',
    ).replace(
      "          - { proto: tcp, ports: [22], from_group: bastion, description: SSH from the bastion }",
      "          - { proto: tcp, ports: [22], from_group: bastion, description: SSH from the bastion }\n          - { proto: tcp, ports: [9090], from_group: bastion }",
    );
    const words = describeChanges(await modelOf(C), await modelOf(after));
    expect(words).toEqual(['security group api opens 9090 from bastion', 'security group jenkins closes 22 from 198.51.100.7/32']);
  });

  // prevent_destroy goes with a bucket's blocks: Terraform would strip the bucket, then fail to delete it.
  it('a bucket taken out of the topology, retired, and managed again', async () => {
    const archive = { name: 'iksan-cloud-archive', noncurrent_days: 30 };
    const buckets = (parseYaml(A) as { aws: { buckets: object[] } }).aws.buckets;
    const withArchive = (extra: object[]) => edit(A, ['aws', 'buckets'], [...buckets, ...extra]);
    const [managed, retired, gone] = await Promise.all([modelOf(withArchive([archive])), modelOf(withArchive([{ ...archive, retired: true }])), modelOf(withArchive([]))]);
    const [removed] = describeChanges(managed, gone);
    expect(describeChanges(managed, gone)).toHaveLength(1);
    expect(removed).toMatch(/^bucket iksan-cloud-archive removed: terraform apply would strip it \(versioning suspended; policy, .*\) and then try to delete it/);
    expect(removed).toMatch(/keep it in aws\.buckets with retired: true$/);
    expect(describeChanges(managed, retired)).toEqual([expect.stringMatching(/^bucket iksan-cloud-archive retired: the next terraform apply forgets it .* S3 keeps it/)]);
    expect(describeChanges(retired, gone)).toEqual([expect.stringMatching(/^bucket iksan-cloud-archive removed \(was retired\): /)]);
    expect(describeChanges(retired, managed)).toEqual([expect.stringMatching(/^bucket iksan-cloud-archive managed again: .*terraform import/)]);
    expect(describeChanges(gone, managed)).toEqual(['bucket iksan-cloud-archive added: versioned, encrypted, private']);
  });

  it('a peer disabled, moved; a network renumbered, with the derived route following', async () => {
    const after = A.replace('            address: 10.0.1.3\n', '            address: 10.0.1.5\n').replace(
      '            public_key: Lgn4vZd3cPwDnL4fh/JUzw2ctXWN1QwqzOtm5j4Jk1U=\n',
      '            public_key: Lgn4vZd3cPwDnL4fh/JUzw2ctXWN1QwqzOtm5j4Jk1U=\n            enabled: false\n',
    );
    const words = describeChanges(await modelOf(A), await modelOf(after));
    expect(words).toEqual(['peer laptop-john moved from 10.0.1.3 to 10.0.1.5, disabled']);
  });

  it('moving the firewall from OPNsense 25.7 to 26.7 says what gen now writes differently', async () => {
    const before = A.replace('release: "26.7"', 'release: "25.7"');
    expect(before).not.toBe(A);
    const [words, ...rest] = describeChanges(await modelOf(before), await modelOf(A));
    expect(rest).toEqual([]);
    expect(words).toMatch(/^OPNsense release 25\.7 → 26\.7: gen now writes the policy as MVC filter rules \(\/\/OPNsense\/Firewall\/Filter, Firewall > Rules; no legacy rules, so no migration assistant\) instead of the policy as legacy filter rules \(<filter><rule>\); port forwards as Destination NAT rules/);
    for (const part of ['HAProxy redirects as http-request actions', 'static routes model 1.0.0 → 1.0.1 (+route.enabled, -route.disabled)', 'dnsmasq model 1.0.8 → 1.0.9', 'HAProxy model 4.1.0 → 5.0.0', 'ACME client model 4.3.0 → 4.4.0']) {
      expect(words).toContain(part);
    }
  });

  it('a release change names the dnsmasq and the HAProxy series the box runs from then on, HAProxy only where the site has frontends', async () => {
    const at = (release: string, text = A) => text.replace('release: "26.7"', `release: "${release}"`);
    expect(at('25.7')).not.toBe(A);
    const [upgrade] = describeChanges(await modelOf(at('25.7')), await modelOf(A));
    expect(upgrade).toMatch(/; the box runs dnsmasq 2\.91 → 2\.93, HAProxy 3\.0 → 3\.2 \(os-haproxy's package\)$/);
    // 26.1.2 moved os-haproxy to HAProxy 3.2 and kept dnsmasq 2.92.
    const [point] = describeChanges(await modelOf(at('26.1.1')), await modelOf(at('26.1.2')));
    expect(point).toMatch(/^OPNsense release 26\.1\.1 → 26\.1\.2: gen now writes .*; the box runs HAProxy 3\.0 → 3\.2 \(os-haproxy's package\)$/);
    expect(point).not.toContain('dnsmasq 2.');
    // Without frontends the HAProxy series is nobody's concern; dnsmasq still is (the box's DNS and DHCP).
    const untested = A.replace('        - { from: internet, to: wan, proto: tcp, port: 443, expect: accept }\n', '');
    expect(untested).not.toBe(A);
    const bare = edit(untested, ['sites', 0, 'haproxy'], { certificates: [], frontends: [], backends: [] });
    const [plain] = describeChanges(await modelOf(at('25.7', bare)), await modelOf(bare));
    expect(plain).toMatch(/; the box runs dnsmasq 2\.91 → 2\.93$/);
    expect(describeChanges(await modelOf(at('26.1.8')), await modelOf(at('26.1.9')))).toEqual(['OPNsense release 26.1.8 → 26.1.9']);
  });

  it('a full tunnel: outbound NAT for the tunnel network, in hybrid mode', async () => {
    const words = describeChanges(await modelOf(A), await modelOf(A.replace('tunnel: split', 'tunnel: full')));
    expect(words).toEqual([
      'WireGuard instance wg0 changed: tunnel split → full',
      'peer mac-workstation AllowedIPs 10.0.0.0/23, 10.1.0.0/24 → 0.0.0.0/0, ::/0',
      'peer laptop-john AllowedIPs 10.0.0.0/23, 10.1.0.0/24 → 0.0.0.0/0, ::/0',
      'peer iphone-john AllowedIPs 10.0.0.0/23, 10.1.0.0/24 → 0.0.0.0/0, ::/0',
      'outbound NAT now translates 10.0.1.0/24 (WireGuard wg0, full tunnel) to the address of wan, outbound mode hybrid',
    ]);
  });

  it('a split tunnel the policy lets onto the upstream LAN: outbound NAT for the tunnel network', async () => {
    const after = edit(A, ['sites', 0, 'policy', 'rules', 5], { name: 'vpn-to-router', from: 'vpn', to: '192.168.0.1', proto: 'tcp', ports: [80], action: 'pass' });
    const words = describeChanges(await modelOf(A), await modelOf(after));
    expect(words).toContain('outbound NAT now translates 10.0.1.0/24 (WireGuard wg0, split tunnel) to the address of wan, outbound mode hybrid');
  });

  it("a Proxmox host renumbered: the address Apply takes off the node, and the places Proxmox VE keeps it that gen does not write", async () => {
    // The addresses the host's interfaces file gives it, read back from the file gen writes (address lines of its stanzas).
    const addressesIn = (model: Model) => [...renderAll(model).get('home/proxmox/pve/interfaces')!.matchAll(/^\taddress (\S+)\/\d+$/gm)].map((m) => m[1]!);
    const after = A.replace('address: 10.0.0.254/24', 'address: 10.0.0.10/24');
    expect(after).not.toBe(A);
    const [before, now] = [await modelOf(A), await modelOf(after)];
    const gone = addressesIn(before).filter((a) => !addressesIn(now).includes(a));
    expect(gone).toEqual(['10.0.0.254']);
    const words = describeChanges(before, now);
    const line = words.find((w) => w.startsWith('Proxmox host pve address changed'));
    expect(line).toBeDefined();
    expect(line).toContain('192.168.0.10/24 on vmbr0, 10.0.0.254/24 on vmbr1 → 192.168.0.10/24 on vmbr0, 10.0.0.10/24 on vmbr1');
    expect(line).toContain(`Apply takes ${gone.join(', ')} off the node`);
    // pmxcfs resolves the node name (pmxcfs.c lookup_node_ip), corosync's ring address, the certificate's subjectAltName (Setup.pm gen_pve_ssl_cert).
    for (const place of ['/etc/hosts', 'systemctl restart pve-cluster', 'ringN_addr in /etc/pve/corosync.conf', 'config_version', 'pvecm updatecerts --force']) {
      expect(line).toContain(place);
    }
    // An address added keeps every address the node has: the change in words, and nothing else to do.
    const added = describeChanges(before, await modelOf(A.replace('              description: Service (containers)\n', '              description: Service (containers)\n              address: 10.1.0.254/24\n')));
    expect(added).toContain('Proxmox host pve address changed: 192.168.0.10/24 on vmbr0, 10.0.0.254/24 on vmbr1 → 192.168.0.10/24 on vmbr0, 10.0.0.254/24 on vmbr1, 10.1.0.254/24 on vmbr2');
  });

  // A corosync link on a NIC, a storage network on a bond: each written with its own address.
  it.each([
    ['NIC', 'eno2', 'nics', { name: 'eno2' }],
    ['bond', 'bond1', 'bonds', { name: 'bond1', slaves: ['eno2', 'eno3'], mode: 'active-backup' }],
  ] as const)("a %s's own address renumbered: Apply takes it off the node, as a bridge's", async (_, device, key, item) => {
    const withLink = (address: string) => edit(A, ['sites', 0, 'proxmox', 'hosts', 0, key], [Object.assign({ address }, item)]);
    const [before, now] = [await modelOf(withLink('10.99.0.11/24')), await modelOf(withLink('10.99.0.12/24'))];
    // What the interfaces file gives the device, read back from the file gen writes.
    const written = (model: Model) => new RegExp(`^iface ${device} inet static\\n\\taddress (\\S+)$`, 'm').exec(renderAll(model).get('home/proxmox/pve/interfaces')!)?.[1];
    expect([written(before), written(now)]).toEqual(['10.99.0.11/24', '10.99.0.12/24']);
    const line = describeChanges(before, now).find((w) => w.startsWith('Proxmox host pve address changed'));
    expect(line).toContain(`10.99.0.11/24 on ${device} → `);
    expect(line).toContain('Apply takes 10.99.0.11 off the node');
    expect(line).toContain('ringN_addr in /etc/pve/corosync.conf');
  });

  // The stanza of one interface in the file gen writes, as option → value (bond-slaves, bond-mode, bridge-ports, mtu).
  const stanza = (model: Model, device: string): Map<string, string> => {
    const text = renderAll(model).get('home/proxmox/pve/interfaces')!;
    const body = new RegExp(`^iface ${device.replace(/\./g, '\\.')} inet \\S+\\n((?:\\t.*\\n)*)`, 'm').exec(text)?.[1] ?? '';
    return new Map([...body.matchAll(/^\t(\S+) (.*)$/gm)].map((m) => [m[1]!, m[2]!]));
  };

  it("a bridge's uplink moved onto a bond, then the bond's mode and slaves changed: what Apply does to the node's uplink, in words", async () => {
    const host = ['sites', 0, 'proxmox', 'hosts', 0];
    const bonded = (bond: Record<string, unknown>) => edit(edit(A, host.concat(['bonds']), [Object.assign({ name: 'bond0' }, bond)]), host.concat(['bridges', 0, 'ports']), ['bond0']);
    const lacp = bonded({ slaves: ['eno1', 'eno2'], mode: '802.3ad', xmit_hash_policy: 'layer3+4' });
    const backup = bonded({ slaves: ['eno1', 'eno3'], mode: 'active-backup', primary: 'eno3' });
    const [before, first, second] = [await modelOf(A), await modelOf(lacp), await modelOf(backup)];
    // What the interfaces file says, read back from it: the words must say the same.
    const [was, now] = [stanza(first, 'bond0'), stanza(second, 'bond0')];
    expect(was.get('bond-slaves')).toBe('eno1 eno2');
    expect([now.get('bond-mode'), now.get('bond-primary')]).toEqual(['active-backup', 'eno3']);
    const ports = (model: Model) => stanza(model, 'vmbr0').get('bridge-ports')!;
    // The switch's group of the bond's ports, as steps.md asks for it before Apply.
    const group = (model: Model) => {
      const steps = renderAll(model).get('home/steps.md')!;
      if (/eno1, eno\d on Proxmox host pve one LACP \(IEEE 802\.3ad\) link aggregation group/.test(steps)) return 'one LACP group';
      return /link aggregation group/.test(steps) ? 'one static group' : 'ungrouped';
    };
    expect([group(first), group(second)]).toEqual(['one LACP group', 'ungrouped']);
    expect(describeChanges(before, first)).toEqual([
      `bridge vmbr0 of Proxmox host pve changed: ports ${ports(before)} → ${ports(first)}`,
      `bond bond0 of Proxmox host pve (port of vmbr0) added: slaves ${was.get('bond-slaves')!.split(' ').join(', ')}, mode ${was.get('bond-mode')}, xmit_hash_policy ${was.get('bond-xmit-hash-policy')}, switch ports ${group(first)}`,
    ]);
    // The switch keeps the LACP group of the old mode until someone changes it: the words say which, and when.
    const window = '. On the switch (gen does not manage it), in the same maintenance window as Apply on pve: ';
    const noPartner = 'in mode active-backup the bond sends no LACPDUs, which the bonding driver sends in mode 802.3ad only, so the LACP group has no partner';
    expect(describeChanges(first, second)).toEqual([
      `bond bond0 of Proxmox host pve (port of vmbr0) changed: slaves eno1, eno2 → ${now.get('bond-slaves')!.split(' ').join(', ')}, mode ${was.get('bond-mode')} → ${now.get('bond-mode')}, ` +
        `xmit_hash_policy ${was.get('bond-xmit-hash-policy')} → unset, primary unset → ${now.get('bond-primary')}, switch ports ${group(first)} → ${group(second)}` +
        `${window}remove the LACP (IEEE 802.3ad) group of the switch ports of eno1, eno2 (${noPartner}; mode active-backup needs no switch configuration)`,
    ]);
    // The reverse: an 802.3ad bond on ports the switch has not grouped has no LACP partner.
    expect(describeChanges(second, first)).toEqual([
      expect.stringMatching(
        new RegExp(`switch ports ungrouped → one LACP group${window.replace(/[.()]/g, '\\$&')}make the switch ports of eno1, eno2 one LACP \\(IEEE 802\\.3ad\\) link aggregation group, with the VLANs bond bond0 carries \\(an 802\\.3ad bond without an LACP partner puts each NIC in an aggregator of its own and runs on one of them\\)$`),
      ),
    ]);
    // A static mode: the switch's group changes kind, though the bond keeps its ports.
    const xor = await modelOf(bonded({ slaves: ['eno1', 'eno2'], mode: 'balance-xor', xmit_hash_policy: 'layer3+4' }));
    expect(group(xor)).toBe('one static group');
    expect(describeChanges(first, xor)).toEqual([
      `bond bond0 of Proxmox host pve (port of vmbr0) changed: mode 802.3ad → balance-xor, switch ports ${group(first)} → ${group(xor)}` +
        `${window}remove the LACP (IEEE 802.3ad) group of the switch ports of eno1, eno2, then make the switch ports of eno1, eno2 one static (no LACP) link aggregation group, with the VLANs bond bond0 carries ` +
        '(in mode balance-xor the bond sends no LACPDUs, which the bonding driver sends in mode 802.3ad only, so the LACP group has no partner; mode balance-xor sends from one MAC address on every port, which a switch without the group sees move between ports)',
    ]);
    // A change that leaves the switch's group as it is asks nothing of the switch.
    const layer2 = await modelOf(bonded({ slaves: ['eno1', 'eno2'], mode: '802.3ad', xmit_hash_policy: 'layer2' }));
    expect(describeChanges(first, layer2)).toEqual(['bond bond0 of Proxmox host pve (port of vmbr0) changed: xmit_hash_policy layer3+4 → layer2']);
    expect(now.has('bond-xmit-hash-policy')).toBe(false);
    // A bridge's MTU, written on the bridge and carried to its bond and the bond's slaves.
    const jumbo = await modelOf(edit(lacp, host.concat(['bridges', 0, 'mtu']), 9000));
    expect([stanza(jumbo, 'vmbr0').get('mtu'), stanza(jumbo, 'bond0').get('mtu')]).toEqual(['9000', '9000']);
    expect(describeChanges(first, jumbo)).toEqual(['bridge vmbr0 of Proxmox host pve changed: MTU unset → 9000']);
    expect(describeChanges(second, before)).toContain('bond bond0 of Proxmox host pve (port of vmbr0) removed (was slaves eno1, eno3, mode active-backup, primary eno3, switch ports ungrouped)');
    // A bridge on a VLAN device of the bond (bond0.20, as bridge-ports names it) rides on the bond too.
    const onVlan = (text: string) => modelOf(edit(text, host.concat(['bridges', 0, 'ports']), ['bond0.20']));
    const [tagged, taggedBackup] = [await onVlan(lacp), await onVlan(backup)];
    expect(stanza(taggedBackup, 'vmbr0').get('bridge-ports')).toBe('bond0.20');
    expect(describeChanges(tagged, taggedBackup)).toEqual([
      `bond bond0 of Proxmox host pve (port of vmbr0) changed: slaves eno1, eno2 → eno1, eno3, mode 802.3ad → active-backup, xmit_hash_policy layer3+4 → unset, primary unset → eno3, switch ports one LACP group → ungrouped` +
        `${window}remove the LACP (IEEE 802.3ad) group of the switch ports of eno1, eno2 (${noPartner}; mode active-backup needs no switch configuration)`,
    ]);
    expect(describeChanges(first, tagged)).toContain(`bridge vmbr0 of Proxmox host pve changed: ports bond0 → bond0.20`);
  });

  it("a NIC's MTU (a storage VLAN device): what Apply sets on it, in words", async () => {
    const nics = ['sites', 0, 'proxmox', 'hosts', 0, 'nics'];
    const storage = (mtu?: number) => edit(A, nics, [Object.assign({ name: 'eno2.40', address: '10.98.0.11/24' }, mtu === undefined ? {} : { mtu })]);
    const [plain, jumbo] = [await modelOf(storage()), await modelOf(storage(9000))];
    expect([stanza(plain, 'eno2.40').get('mtu'), stanza(jumbo, 'eno2.40').get('mtu')]).toEqual([undefined, '9000']);
    expect(describeChanges(plain, jumbo)).toEqual([`NIC eno2.40 of Proxmox host pve changed: MTU unset → ${stanza(jumbo, 'eno2.40').get('mtu')}`]);
    expect(describeChanges(await modelOf(A), jumbo)).toContain('NIC eno2.40 of Proxmox host pve added: MTU 9000');
    expect(describeChanges(await modelOf(A), plain)).toContain('NIC eno2.40 of Proxmox host pve added');
  });

  it("a peer's key_date and the instance's key_rotation_days: what wg/key-age counts from, in words", async () => {
    const wg = ['sites', 0, 'wireguard', 0];
    const dated = (days: number, date: string) => edit(edit(A, wg.concat(['key_rotation_days']), days), wg.concat(['peers', 0, 'key_date']), date);
    const [before, now] = [await modelOf(dated(90, '2026-01-01')), await modelOf(dated(30, '2026-06-01'))];
    const peer = now.sites[0]!.wireguard[0]!.peers[0]!;
    expect([before.sites[0]!.wireguard[0]!.peers[0]!.keyDate, peer.keyDate]).toEqual(['2026-01-01', '2026-06-01']);
    expect(describeChanges(before, now)).toEqual([
      `WireGuard instance ${now.sites[0]!.wireguard[0]!.name} changed: key rotation every 90 days → every 30 days`,
      `peer ${peer.name} key_date 2026-01-01 → 2026-06-01`,
    ]);
    expect(describeChanges(await modelOf(A), before)).toContain(`peer ${peer.name} key_date none → 2026-01-01`);
  });

  it("the instance's idle_peer_days: the age the firewall's verify script notes a peer at, in words", async () => {
    const days = ['sites', 0, 'wireguard', 0, 'idle_peer_days'];
    // The age as the verify script has it: the handshake note's days argument.
    const noted = async (yaml: string) => Number((await render(yaml)).get('home/verify/firewall-opnsense.sh')!.match(/^\s*handshake_note '[^']*' '[^']*' '[^']*' '(\d+)'/m)![1]);
    const shorter = edit(A, days, 30);
    const [before, after] = [await noted(A), await noted(shorter)];
    expect([before, after]).toEqual([90, 30]);
    const name = (await modelOf(A)).sites[0]!.wireguard[0]!.name;
    expect(describeChanges(await modelOf(A), await modelOf(shorter))).toEqual([`WireGuard instance ${name} changed: idle-peer note after ${before} days → after ${after} days`]);
  });

  it('no change, no words; an empty base means everything is added', async () => {
    expect(describeChanges(await modelOf(A), await modelOf(A))).toEqual([]);
    const all = describeChanges(undefined, await modelOf(C));
    expect(all).toContain('network public-2a added: 10.30.1.0/24');
    expect(all).toContain('security group db opens 5432 from api');
  });
});

describe('gen diff command', () => {
  it('compares with a git revision and prints words then the unified diff of out/', () => {
    const dir = tempDir('gen-diff-');
    const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    git('init', '-q');
    writeFileSync(join(dir, 'topology.yaml'), C);
    git('add', '.');
    expect(git('commit', '-qm', 'base').status).toBe(0);
    writeFileSync(join(dir, 'topology.yaml'), C.replace('ports: [5432], from_group: api', 'ports: [5432, 6432], from_group: api'));
    const r = spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'diff'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const [words, patch] = r.stdout.split('\n\n');
    expect(words).toBe('Changes (HEAD:topology.yaml → topology.yaml):\n- security group db opens 6432 from api');
    expect(patch).toMatch(/^--- a\/out\/\S+\n\+\+\+ b\/out\/\S+\n@@ /m);
    expect(patch).toContain('--- a/out/plan.json\n+++ b/out/plan.json\n@@ ');
    expect(r.stdout).toMatch(/\n\+\s+"to": 6432/);
  });

  it('outside a repository, or before its first commit: what is missing and the --base way out, not git\'s words', () => {
    const dir = tempDir('gen-diff-');
    writeFileSync(join(dir, 'topology.yaml'), C);
    // No repository above the scratch directory, wherever the temporary directory is.
    const env = { ...process.env, GIT_CEILING_DIRECTORIES: tmpdir() };
    const diff = () => spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'diff'], { cwd: dir, encoding: 'utf8', env });
    const outside = diff();
    expect(outside.status).toBe(2);
    expect(outside.stderr).toBe('gen: . is not in a git repository, so there is no HEAD to compare with: pass --base DIR, a directory that holds the base topology.yaml\n');
    expect(spawnSync('git', ['init', '-q'], { cwd: dir }).status).toBe(0);
    const empty = diff();
    expect(empty.status).toBe(2);
    expect(empty.stderr).toBe('gen: git knows no revision HEAD here (a repository with no commit yet): pass --base with a revision it has, or a directory that holds the base topology.yaml\n');
  });

  it('reads a base larger than a mebibyte from git, and names the input limit when the base passes it', () => {
    const dir = tempDir('gen-diff-');
    const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    git('init', '-q');
    // 1.2 MiB of comments: more than git's output buffer in Node by default (1 MiB).
    const padding = `${'# a long comment that only makes the file large\n'.repeat(26_000)}`;
    writeFileSync(join(dir, 'topology.yaml'), `${padding}${C}`);
    git('add', '.');
    expect(git('commit', '-qm', 'base').status).toBe(0);
    writeFileSync(join(dir, 'topology.yaml'), C.replace('ports: [5432], from_group: api', 'ports: [5432, 6432], from_group: api'));
    const r = spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'diff', '--no-patch'], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Changes (HEAD:topology.yaml → topology.yaml):\n- security group db opens 6432 from api\n');
    const limited = spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'diff', '--no-patch'], { cwd: dir, encoding: 'utf8', env: { ...process.env, GEN_MAX_INPUT_BYTES: '1000000' } });
    expect([limited.status, limited.stderr]).toEqual([1, 'gen: topology.yaml at HEAD is larger than 1000000 bytes, the most gen reads (set GEN_MAX_INPUT_BYTES to raise the limit)\n']);
  });

  it('compares with a directory, and refuses option-like revisions', () => {
    const dir = tempDir('gen-diff-');
    mkdirSync(join(dir, 'base'));
    writeFileSync(join(dir, 'base', 'topology.yaml'), C);
    writeFileSync(join(dir, 'topology.yaml'), C.replace('cidr: 10.30.102.0/24', 'cidr: 10.30.103.0/24'));
    const r = spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'diff', '--base', 'base', '--no-patch'], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout).toBe('Changes (base/topology.yaml → topology.yaml):\n- network private-2c changed: 10.30.102.0/24 → 10.30.103.0/24\n');
    const bad = spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'diff', '--base=--output=/tmp/x'], { cwd: dir, encoding: 'utf8' });
    expect(bad.status).toBe(2);
  });
});

describe('filePatch, file by file over two trees', () => {
  it('shows added, removed and changed files', () => {
    const patch = unifiedTreeDiff(new Map([['a', 'x\n'], ['b', 'y\n']]), new Map([['b', 'z\n'], ['c', 'w\n']]));
    expect(patch).toContain('--- a/out/a\n+++ /dev/null');
    expect(patch).toContain('--- a/out/b\n+++ b/out/b');
    expect(patch).toContain('-y\n+z');
    expect(patch).toContain('--- /dev/null\n+++ b/out/c');
  });

  it('replaces a file in one hunk past the edits it looks for, and every patch applies', () => {
    const numbered = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => `${f(i)}\n`).join('');
    // Every other line changed: 15,000 edits, where the diff stops looking at 2,000.
    const before = numbered(30_000, (i) => `line ${i} declared at topology.yaml:${i}`);
    const after = numbered(30_000, (i) => (i % 2 ? `line ${i} declared at topology.yaml:${i + 1}` : `line ${i} declared at topology.yaml:${i}`));
    const cases: [string | undefined, string | undefined][] = [
      [before, after],
      [before, `${after}no newline at the end`],
      [undefined, after],
      [before, undefined],
      ['one\ntwo\n', 'one\nthree\n'],
    ];
    for (const [a, b] of cases) {
      const patch = unifiedTreeDiff(new Map(a === undefined ? [] : [['f', a]]), new Map(b === undefined ? [] : [['f', b]]));
      expect(applyPatch(a ?? '', patch), patch.slice(0, 200)).toBe(b ?? '');
      // And git, which a reviewer's tools use: the patch turns out/ before into out/ after.
      const dir = tempDir('gen-patch-');
      mkdirSync(join(dir, 'out'));
      if (a !== undefined) writeFileSync(join(dir, 'out/f'), a);
      writeFileSync(join(dir, 'change.patch'), patch);
      const applied = spawnSync('git', ['apply', 'change.patch'], { cwd: dir, encoding: 'utf8' });
      expect(applied.status, applied.stderr).toBe(0);
      expect(existsSync(join(dir, 'out/f')) ? readFileSync(join(dir, 'out/f'), 'utf8') : undefined).toBe(b);
    }
    // The large change is one hunk from the first line; the small one stays a minimal hunk.
    const large = unifiedTreeDiff(new Map([['f', before]]), new Map([['f', after]]));
    expect(large).toMatch(/^--- a\/out\/f\n\+\+\+ b\/out\/f\n@@ -1,30000 \+1,30000 @@\n-line 0 declared/);
    // Every old line, then every new one: no unchanged line is matched up (a minimal diff keeps the even ones as context).
    expect(large).not.toMatch(/^ /m);
    expect(unifiedTreeDiff(new Map([['f', 'one\ntwo\n']]), new Map([['f', 'one\nthree\n']]))).toBe('--- a/out/f\n+++ b/out/f\n@@ -1,2 +1,2 @@\n one\n-two\n+three\n');
  });
});

describe('changedFiles: the files that differ, without either whole tree', () => {
  /** A render of `model` that counts its runs. */
  const counted = (model: Model) => {
    const render = Object.assign((files: Parameters<TreeRender>[0]) => {
      render.runs++;
      renderInto(model, files);
    }, { runs: 0 });
    return render;
  };
  /** The patch of changedFiles, file by file, as gen diff writes it. */
  const streamed = (before: TreeRender | undefined, after: TreeRender) =>
    changedFiles(before, after)
      .map((f) => filePatch(f.path, f.before, f.after))
      .join('');

  it('gives the patch of the two whole trees, for changes, additions and removals of files, and against no base', async () => {
    const peerless = edit(A, ['sites', 0, 'wireguard', 0, 'peers'], []);
    const rekeyed = A.replace(/(public_key: )(\S+)/, (_, key: string, value: string) => `${key}${Buffer.from(value, 'base64').reverse().toString('base64')}`);
    expect(rekeyed).not.toBe(A);
    const pairs: [string | undefined, string][] = [[A, rekeyed], [A, peerless], [peerless, A], [undefined, A], [A, A], [C, A]];
    for (const [a, b] of pairs) {
      const [before, after] = [a === undefined ? undefined : await modelOf(a), await modelOf(b)];
      const whole = unifiedTreeDiff(before ? renderAll(before) : new Map(), renderAll(after));
      expect(streamed(before && ((files) => renderInto(before, files)), (files) => renderInto(after, files))).toBe(whole);
    }
  });

  it('joins the parts of a long file only where it differs (plan.json of 100,000 peers is 165 MB)', () => {
    const parts = (text: string): TreeRender => (files) => files.setParts!('big.json', (part) => text.split(/(?<=\n)/).forEach((line) => part(line)));
    const join = vi.spyOn(Array.prototype, 'join');
    try {
      expect(changedFiles(parts('a\nb\n'), parts('a\nb\n'))).toEqual([]);
      // No list of the file's parts was joined.
      expect(join.mock.contexts.filter((list) => (list as unknown[]).includes('a\n'))).toEqual([]);
      expect(changedFiles(parts('a\nb\n'), parts('a\nc\n'))).toEqual([{ path: 'big.json', before: 'a\nb\n', after: 'a\nc\n' }]);
    } finally {
      join.mockRestore();
    }
  });

  it('renders each side once where no file of the first side differs, and that side twice only to take the texts that do', async () => {
    const [a, same, more] = await Promise.all([modelOf(A), modelOf(A), modelOf(A.replace('          - name: iphone-john', '          - name: laptop-ann\n            role: workstation\n            address: 10.0.1.4\n          - name: iphone-john'))]);
    const runs = (before: Model, after: Model) => {
      const [b, c] = [counted(before), counted(after)];
      const files = changedFiles(b, c);
      return { files: files.map((f) => [f.path, f.before !== undefined, f.after !== undefined]), runs: [b.runs, c.runs] };
    };
    expect(runs(a, same)).toEqual({ files: [], runs: [1, 1] });
    const added = runs(a, more);
    // A new client file (nothing to take from before), and files that changed (their texts taken in a second run).
    expect(added.files).toContainEqual([expect.stringMatching(/laptop-ann\.conf$/), false, true]);
    expect(added.files.some(([, was, is]) => was && is)).toBe(true);
    expect(added.runs).toEqual([2, 1]);
    // Only the files that differ are held, each side's text where it has one.
    const all = renderAll(await modelOf(A));
    expect(added.files.length).toBeLessThan(all.size);
  });
});
