// The guest checks, each with a failing and a passing topology, located at
// the node to fix.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { derivedMac } from '../../src/targets/proxmox/mac.js';
import { edit, lint, modelOf, readExample, render } from '../helpers.js';
import { lineOf, lineOfKey, positionOf } from '../yaml-lines.js';

const homelab = readExample('homelab');
const hosting = readExample('vlan-hosting');
const fw = ['sites', 0, 'firewall'];
const services = ['sites', 0, 'services'];

async function findings(text: string, rule: string) {
  return (await lint(text)).filter((d) => d.rule === rule).map((d) => ({ severity: d.severity, message: d.message, line: d.location.line }));
}

describe('proxmox/firewall-nic-order', () => {
  it('passes scenarios A and B: the bridged interfaces are vtnet0, vtnet1, ...', async () => {
    expect(await findings(homelab, 'proxmox/firewall-nic-order')).toEqual([]);
    expect(await findings(hosting, 'proxmox/firewall-nic-order')).toEqual([]);
  });

  it('is an error when a gap shifts the names: the third NIC is vtnet2, not vtnet3', async () => {
    const text = edit(homelab, [...fw, 'interfaces', 2, 'device'], 'vtnet3');
    expect(await findings(text, 'proxmox/firewall-nic-order')).toEqual([
      { severity: 'error', message: 'interface service is on net2 of VM 102 (opnsense), which FreeBSD names vtnet2, not vtnet3', line: lineOf(text, [...fw, 'interfaces', 2, 'device']) },
    ]);
  });

  it('is an error when two interfaces name one device, or a device is not virtio', async () => {
    const twice = edit(homelab, [...fw, 'interfaces', 2, 'device'], 'vtnet1');
    expect((await findings(twice, 'proxmox/firewall-nic-order')).map((f) => f.message)).toEqual([
      'interface service is on net2 of VM 102 (opnsense), which FreeBSD names vtnet2, not vtnet1',
    ]);
    const em = edit(homelab, [...fw, 'interfaces', 0, 'device'], 'em0');
    expect((await findings(em, 'proxmox/firewall-nic-order')).map((f) => f.message)).toContain(
      'interface wan: device em0 is not a virtio NIC name; gen gives VM 102 (opnsense) virtio NICs, named vtnet0, vtnet1, ...',
    );
  });

  it('is an error when a device interface of the VM names no bridge', async () => {
    const text = edit(homelab, [...fw, 'interfaces', 2, 'bridge'], undefined);
    expect((await findings(text, 'proxmox/firewall-nic-order')).map((f) => f.message)).toContain(
      'interface service (vtnet2) names no bridge: gen cannot place its NIC on VM 102 (opnsense)',
    );
  });

  it('leaves a firewall without a VM id alone', async () => {
    const text = edit(edit(homelab, [...fw, 'vm', 'id'], undefined), [...fw, 'interfaces', 2, 'device'], 'vtnet7');
    expect(await findings(text, 'proxmox/firewall-nic-order')).toEqual([]);
  });
});

describe('proxmox/firewall-nic-bridge', () => {
  const nics = (bridges: string[]) => edit(homelab, [...fw, 'vm', 'nics'], bridges.map((bridge) => ({ bridge })));

  it('passes NICs written in the order of the interfaces', async () => {
    expect(await findings(nics(['vmbr0', 'vmbr1', 'vmbr2']), 'proxmox/firewall-nic-bridge')).toEqual([]);
  });

  it('is an error at each NIC whose bridge is not the one its interface names (vtnet1 would not be the LAN)', async () => {
    const text = nics(['vmbr0', 'vmbr2', 'vmbr1']);
    expect(await findings(text, 'proxmox/firewall-nic-bridge')).toEqual([
      { severity: 'error', message: 'net1 of VM 102 (opnsense) is on vmbr2, but it is vtnet1, interface management, which names bridge vmbr1', line: lineOf(text, [...fw, 'vm', 'nics', 1, 'bridge']) },
      { severity: 'error', message: 'net2 of VM 102 (opnsense) is on vmbr1, but it is vtnet2, interface service, which names bridge vmbr2', line: lineOf(text, [...fw, 'vm', 'nics', 2, 'bridge']) },
    ]);
  });

  it('reports a device the written NICs do not reach', async () => {
    expect((await findings(nics(['vmbr0', 'vmbr1']), 'proxmox/firewall-nic-order')).map((f) => f.message)).toEqual([
      'interface service: VM 102 (opnsense) has 2 NICs (vtnet0-vtnet1), so there is no vtnet2',
    ]);
  });
});

describe('proxmox/guest-gateway', () => {
  it("passes a container gateway that is the firewall's address", async () => {
    expect(await findings(edit(homelab, [...services, 0, 'guest'], { gateway: '10.1.0.1' }), 'proxmox/guest-gateway')).toEqual([]);
  });

  it('is an error when a container routes through anything but the firewall', async () => {
    const text = edit(homelab, [...services, 0, 'guest'], { gateway: '10.1.0.254' });
    expect(await findings(text, 'proxmox/guest-gateway')).toEqual([
      { severity: 'error', message: "CT 200 (traefik): gateway 10.1.0.254 is not the firewall's address on network service (10.1.0.1)", line: lineOf(text, [...services, 0, 'guest', 'gateway']) },
    ]);
  });
});

describe("a container's address", () => {
  it('must be inside its network', async () => {
    const text = edit(homelab, [...services, 0, 'address'], '10.2.0.100');
    const found = await findings(text, 'ip/address-outside-network');
    expect(found.map((f) => f.message)).toEqual(['service traefik: 10.2.0.100 is outside its network service (10.1.0.0/24)']);
  });
});

describe('proxmox/guest-id-duplicate', () => {
  it('is an error when a container takes the id of another guest', async () => {
    const text = edit(homelab, [...services, 1, 'container'], 102);
    const found = await findings(text, 'proxmox/guest-id-duplicate');
    expect(found.map((f) => f.message)).toEqual(['CT 102 (postgres): id 102 is already VM 102 (opnsense)']);
    expect(found[0]!.line).toBe(lineOf(text, [...services, 1]));
  });

  it('passes distinct ids', async () => {
    expect(await findings(homelab, 'proxmox/guest-id-duplicate')).toEqual([]);
  });
});

describe('proxmox/guest-device-name', () => {
  const rule = 'proxmox/guest-device-name';

  it('passes the examples, and a container id of eight digits (veth99999999i0p is 15 characters)', async () => {
    expect(await findings(homelab, rule)).toEqual([]);
    expect(await findings(edit(hosting, [...services, 0, 'container'], 300), rule)).toEqual([]);
    expect(await findings(edit(homelab, [...services, 0, 'container'], 99_999_999), rule)).toEqual([]);
  });

  it('warns at the id of a container of nine digits: the end of a NIC plugged into it while it runs would be 16 characters', async () => {
    const text = edit(homelab, [...services, 0, 'container'], 100_000_000);
    expect(await findings(text, rule)).toEqual([
      {
        severity: 'warning',
        message:
          'CT 100000000 (traefik): Proxmox names the container end of a NIC plugged in while it runs veth100000000i0p, 16 characters, but Linux takes interface names of at most 15, ' +
          'so plugging net0 into the running container fails (pct set 100000000 --net0: "unable to hotplug net0"), and the NIC waits, pending, for the next start; the container starts with it',
        line: lineOf(text, [...services, 0, 'container']),
      },
    ]);
  });

  it("leaves VMs alone: tap<id>i<N> fits up to net31, and the firewall VM's NICs have Proxmox's firewall off", async () => {
    const vm = edit(edit(homelab, [...services, 0, 'container'], undefined), [...services, 0, 'vm'], 999_999_999);
    expect(await findings(vm, rule)).toEqual([]);
    // With the firewall on, net10 of a nine-digit id would need fwbr999999999i10, 16 characters.
    const bridges = ['vmbr0', 'vmbr1', 'vmbr2'];
    const eleven = edit(edit(homelab, [...fw, 'vm', 'id'], 999_999_999), [...fw, 'vm', 'nics'], Array.from({ length: 11 }, (_, i) => ({ bridge: bridges[i % 3] })));
    expect(await findings(eleven, rule)).toEqual([]);
    expect((await modelOf(eleven)).sites[0]!.guests.find((g) => g.purpose === 'firewall')!.nics.map((n) => n.firewall)).toEqual(Array(11).fill(false));
  });
});

describe('proxmox/guest-vlan', () => {
  const webCt = edit(hosting, [...services, 0, 'container'], 301);

  it('passes a container tagged with a VLAN its VLAN-aware bridge carries', async () => {
    expect(await findings(webCt, 'proxmox/guest-vlan')).toEqual([]);
  });

  it('is an error on a bridge that is not VLAN aware', async () => {
    const text = edit(webCt, ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 1, 'vlan_aware'], false);
    expect((await findings(text, 'proxmox/guest-vlan')).map((f) => f.message)).toEqual(['CT 301 (web1): its NIC has VLAN tag 20 but bridge vmbr2 is not VLAN aware']);
  });

  it('is an error when the bridge passes other VLANs on its ports', async () => {
    const host = ['sites', 0, 'proxmox', 'hosts', 0];
    const text = edit(edit(edit(webCt, [...host, 'ports'], ['eno3', 'eno4']), [...host, 'bridges', 1, 'ports'], ['eno4']), [...host, 'bridges', 1, 'vids'], [10, 30]);
    expect((await findings(text, 'proxmox/guest-vlan')).map((f) => f.message)).toEqual(['CT 301 (web1): bridge vmbr2 does not carry VLAN 20 on its ports (vids 10 30)']);
  });
});

describe('proxmox/guest-network', () => {
  it('is an error for a guest on a network without a bridge (a WireGuard tunnel)', async () => {
    const text = edit(homelab, [...services, 3], { name: 'grafana', network: 'wireguard', address: '10.0.1.60', port: 3000, container: 220 });
    expect((await findings(text, 'proxmox/guest-network')).map((f) => f.message)).toEqual(['CT 220 (grafana): network wireguard has no Proxmox bridge for its NIC']);
  });

  it("is an error when the guest's host lacks the bridge", async () => {
    const hosts = ['sites', 0, 'proxmox', 'hosts'];
    let text = edit(homelab, [...hosts, 1], { name: 'pve2', bridges: [{ name: 'vmbr0' }] });
    text = edit(text, [...services, 0, 'host'], 'pve2');
    for (const i of [1, 2]) text = edit(text, [...services, i, 'host'], 'pve');
    text = edit(text, ['sites', 0, 'backup', 'pbs', 'vm', 'host'], 'pve');
    expect((await findings(text, 'proxmox/guest-network')).map((f) => f.message)).toEqual(['CT 200 (traefik): bridge vmbr2 of its NIC (net0) does not exist on host pve2']);
    expect(await findings(text, 'proxmox/guest-definition')).toEqual([]);
  });
});

describe('proxmox/mac-collision', () => {
  it('is an error when a written MAC is one a NIC already has', async () => {
    const taken = derivedMac('home', 'opnsense', 'management');
    const text = edit(homelab, [...services, 2, 'guest'], { mac: taken.toLowerCase() });
    const found = await findings(text, 'proxmox/mac-collision');
    expect(found.map((f) => f.message)).toEqual([`CT 211 (valkey) net0: MAC ${taken} is already net1 of VM 102 (opnsense)`]);
  });

  it('passes the derived MACs of the scenarios', async () => {
    expect(await findings(homelab, 'proxmox/mac-collision')).toEqual([]);
  });
});

describe('proxmox/guest-definition', () => {
  it('is an error for a service in a container and a VM', async () => {
    const text = edit(homelab, [...services, 0, 'vm'], 300);
    const found = await findings(text, 'proxmox/guest-definition');
    expect(found).toEqual([{ severity: 'error', message: 'service traefik is a container (200) and a VM (300): a service runs in one guest', line: lineOfKey(text, [...services, 0, 'vm']) }]);
  });

  it('is an error for guest settings without a guest', async () => {
    const text = edit(homelab, [...services, 3, 'guest'], { cores: 2 });
    expect((await findings(text, 'proxmox/guest-definition')).map((f) => f.message)).toEqual(['service grafana has guest settings but no container or vm id']);
  });

  it('is an error to create without what creating needs', async () => {
    const text = edit(homelab, [...services, 0, 'guest'], { create: true });
    expect((await findings(text, 'proxmox/guest-definition')).map((f) => f.message)).toEqual([
      'CT 200 (traefik): create needs disk_gb, the size of the disk to allocate',
      'CT 200 (traefik): create needs template, the container template (e.g. local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst)',
    ]);
  });

  it('is an error to create a guest whose name is no DNS name', async () => {
    let text = edit(homelab, [...services, 0, 'name'], 'traefik_1');
    text = edit(text, ['sites', 0, 'haproxy', 'backends', 0, 'servers', 0, 'service'], 'traefik_1');
    text = edit(text, [...services, 0, 'guest'], { create: true, disk_gb: 8, template: 'local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst' });
    expect((await findings(text, 'proxmox/guest-definition')).map((f) => f.message)).toEqual([
      'CT 200 (traefik_1): "traefik_1" is not a DNS name, which Proxmox needs as the VM name or hostname on create',
    ]);
  });

  it("is an error for a backup server VM without the server's address", async () => {
    const text = edit(homelab, ['sites', 0, 'backup', 'pbs', 'address'], undefined);
    expect((await findings(text, 'proxmox/guest-definition')).map((f) => f.message)).toEqual(['the backup server VM needs backup.pbs.address to place its NIC on a network']);
  });

  it('passes scenarios A and B', async () => {
    expect(await findings(homelab, 'proxmox/guest-definition')).toEqual([]);
    expect(await findings(hosting, 'proxmox/guest-definition')).toEqual([]);
  });

  // pve-container's ip is a pve-ipv4-config, whose CIDR pve-common's pve_verify_cidrv4 takes with a prefix of 8 to 32:
  // pct set refuses a container's NIC on a /7, which gen would otherwise write (and crash on, its own check agreeing).
  const serviceOn = (prefix: number) => {
    let text = edit(homelab, [...fw, 'interfaces', 2, 'address'], `20.1.0.1/${prefix}`);
    for (const [i, host] of [100, 110, 111, 120].entries()) text = edit(text, [...services, i, 'address'], `20.1.0.${host}`);
    return text;
  };

  it("is an error for a container on a network wider than a /8, at the service's address", async () => {
    const text = serviceOn(7);
    const found = await findings(text, 'proxmox/guest-definition');
    expect(found).toEqual(
      [[0, 'CT 200 (traefik)'], [1, 'CT 210 (postgres)'], [2, 'CT 211 (valkey)']].map(([i, ct]) => ({
        severity: 'error',
        message: `${ct}: network service is a /7, and Proxmox takes a container's address (net0 ip) with a prefix of 8 to 32 only`,
        line: lineOf(text, [...services, i!, 'address']),
      })),
    );
    const [first] = (await lint(text)).filter((d) => d.rule === 'proxmox/guest-definition');
    expect(first!.hint).toBe('Give network service a prefix of /8 or longer, or run service traefik in a VM (vm:), whose address is set inside it.');
  });

  it('passes a container on a /8, which pct takes as it is written', async () => {
    const text = serviceOn(8);
    expect(await findings(text, 'proxmox/guest-definition')).toEqual([]);
    expect((await render(text)).get('home/proxmox/pve/lxc/200.conf')).toContain(',ip=20.1.0.100/8,');
  });

  it('leaves a VM on a network wider than a /8 alone: gen writes no address for it', async () => {
    let text = edit(edit(serviceOn(7), [...services, 0, 'container'], undefined), [...services, 0, 'vm'], 300);
    text = edit(text, [...services, 0, 'guest'], undefined);
    expect((await findings(text, 'proxmox/guest-definition')).map((f) => f.message.replace(/:.*/, ''))).toEqual(['CT 210 (postgres)', 'CT 211 (valkey)']);
  });
});

describe('the schema', () => {
  it('refuses a multicast MAC', async () => {
    const text = edit(homelab, [...services, 0, 'guest'], { mac: '01:00:5E:00:00:01' });
    expect((await lint(text)).map((d) => d.rule)).toContain('schema');
  });
});

describe('the host of a guest', () => {
  it('must be named when the site has several hosts', async () => {
    let text = edit(homelab, ['sites', 0, 'proxmox', 'hosts', 1], { name: 'pve2', bridges: [{ name: 'vmbr0' }] });
    text = edit(edit(text, ['sites', 0, 'firewall', 'vm', 'host'], undefined), [...services, 0, 'host'], undefined);
    expect((await findings(text, 'proxmox/guest-definition')).map((f) => f.message)).toEqual([
      'the firewall VM: the site has several Proxmox hosts; name the one it runs on (host)',
      'service traefik: the site has several Proxmox hosts; name the one it runs on (host)',
      'the backup server VM: the site has several Proxmox hosts; name the one it runs on (host)',
    ]);
  });
});

describe('proxmox/guest-dns-blocked', () => {
  const rule = 'proxmox/guest-dns-blocked';
  const traefik = [...services, 0];
  /** Findings of the rule with where they point and what they relate to. */
  async function located(text: string) {
    return (await lint(text)).filter((d) => d.rule === rule).map((d) => ({ message: d.message, line: d.location.line, col: d.location.col, related: d.related?.map((r) => r.location.line) }));
  }

  it('passes scenarios A and B and the family homelab: public resolvers, DHCP resolvers, or DNS passed to the firewall', async () => {
    expect(await findings(homelab, rule)).toEqual([]);
    expect(await findings(edit(hosting, [...services, 0, 'container'], 300), rule)).toEqual([]);
    const family = readExample('homelab-family');
    expect(await findings(family, rule)).toEqual([]);
    // Without the rule that passes DNS to the firewall, the family's servers would resolve nothing.
    const rules = (parse(family) as { sites: { policy: { rules: { name: string }[] } }[] }).sites[0]!.policy.rules;
    const withoutDns = edit(family, ['sites', 0, 'policy', 'rules'], rules.filter((r) => r.name !== 'servers-dns'));
    expect((await findings(withoutDns, rule)).map((f) => f.message)).toEqual(
      [['110', 'nextcloud', '10'], ['120', 'jellyfin', '20'], ['130', 'backup', '30']].map(
        ([id, name, host]) => `CT ${id} (${name}) gets the firewall's address on servers (10.10.20.1) as DNS server, but policy rule servers-internet blocks DNS (UDP 53) from 10.10.20.${host} to 10.10.20.1, so it resolves no name`,
      ),
    );
  });

  it("is an error for a container that would ask the firewall, which its internet-only zone may not reach, at the service", async () => {
    // Without guest.dns and without DHCP on its network, traefik gets the firewall's address there.
    const text = edit(homelab, [...traefik, 'guest'], undefined);
    expect(await located(text)).toEqual([
      {
        message: "CT 200 (traefik) gets the firewall's address on service (10.1.0.1) as DNS server, but policy rule service-internet-only blocks DNS (UDP 53) from 10.1.0.100 to 10.1.0.1, so it resolves no name",
        line: lineOf(text, traefik),
        col: 9,
        related: [lineOf(text, ['sites', 0, 'firewall', 'interfaces', 2, 'address'])],
      },
    ]);
    // A pass for DNS to the firewall before the rule that blocks it: the container resolves.
    const rules = ['sites', 0, 'policy', 'rules'];
    const passed = edit(text, [...rules, 4], { name: 'service-dns', from: 'service', to: 'self', proto: 'tcp/udp', ports: [53], action: 'pass' });
    const withInternet = edit(passed, [...rules, 5], { name: 'service-internet-only', from: 'service', to: 'internet', action: 'pass' });
    expect(await findings(withInternet, rule)).toEqual([]);
  });

  it('is an error at the dns entry the policy blocks: the NAT router on the upstream LAN, not the public resolver after it', async () => {
    const text = edit(homelab, [...traefik, 'guest', 'dns'], ['192.168.0.1', '1.1.1.1']);
    expect(await located(text)).toEqual([
      {
        message: 'CT 200 (traefik): policy rule service-internet-only blocks DNS (UDP 53) from 10.1.0.100 to its DNS server 192.168.0.1, so every lookup that tries it waits for it to time out',
        ...positionOf(text, [...traefik, 'guest', 'dns', 0]),
        related: undefined,
      },
    ]);
    // Every one blocked: it resolves nothing, and each entry is reported.
    const both = edit(homelab, [...traefik, 'guest', 'dns'], ['192.168.0.1', '10.0.0.1']);
    expect((await located(both)).map((f) => f.message)).toEqual([
      'CT 200 (traefik): policy rule service-internet-only blocks DNS (UDP 53) from 10.1.0.100 to its DNS server 192.168.0.1, so it resolves no name',
      'CT 200 (traefik): policy rule service-internet-only blocks DNS (UDP 53) from 10.1.0.100 to its DNS server 10.0.0.1, so it resolves no name',
    ]);
  });

  it('leaves a resolver on the container\'s own network alone: the firewall does not see that query', async () => {
    expect(await findings(edit(homelab, [...traefik, 'guest', 'dns'], ['10.1.0.53']), rule)).toEqual([]);
    // ... except the firewall's own address there, which its rules filter.
    expect((await findings(edit(homelab, [...traefik, 'guest', 'dns'], ['10.1.0.1']), rule)).map((f) => f.message)).toEqual([
      'CT 200 (traefik): policy rule service-internet-only blocks DNS (UDP 53) from 10.1.0.100 to its DNS server 10.1.0.1, so it resolves no name',
    ]);
  });

  it("follows the network's DHCP: a container gets dhcp.dns, and a blocked one is reported at the service with the dhcp.dns it came from", async () => {
    const web1 = edit(hosting, [...services, 0, 'container'], 300);
    const dns = ['sites', 0, 'firewall', 'interfaces', 3, 'dhcp', 'dns'];
    const text = edit(web1, dns, ['192.168.20.1']);
    expect(await located(text)).toEqual([
      {
        message: 'CT 300 (web1) gets the DNS servers of DHCP on websvc (192.168.20.1), but policy rule hosting-internet-only blocks DNS (UDP 53) from 192.168.20.11 to 192.168.20.1, so it resolves no name',
        line: lineOf(text, [...services, 0]),
        col: 9,
        related: [lineOf(text, dns)],
      },
    ]);
    // The DHCP clients there are the firewall's own rule's finding.
    expect((await lint(text)).map((d) => d.rule)).toContain('opnsense/dhcp-dns-blocked');
    // The container's own guest.dns wins over the network's.
    expect(await findings(edit(text, [...services, 0, 'guest'], { dns: ['9.9.9.9'] }), rule)).toEqual([]);
  });

  it('is not for VMs: gen cannot set their resolvers, and guest.dns on one is refused', async () => {
    const text = edit(edit(homelab, [...traefik, 'container'], undefined), [...traefik, 'vm'], 300);
    expect(await findings(text, rule)).toEqual([]);
    expect(await findings(text, 'proxmox/guest-definition')).toEqual([
      { severity: 'error', message: "service traefik is a VM: gen cannot set a VM's DNS servers (configure them inside the VM)", line: lineOfKey(text, [...traefik, 'guest', 'dns']) },
    ]);
  });
});

describe('proxmox/guest-dns-tcp-blocked', () => {
  const rule = 'proxmox/guest-dns-tcp-blocked';
  const rules = ['sites', 0, 'policy', 'rules'];
  // traefik without guest.dns asks the firewall (10.1.0.1), which its internet-only zone reaches only through a rule of its own.
  const askingFirewall = edit(homelab, [...services, 0, 'guest'], undefined);
  const withDnsRule = (proto: string) =>
    edit(edit(askingFirewall, [...rules, 4], { name: 'service-dns', from: 'service', to: 'self', proto, ports: [53], action: 'pass' }), [...rules, 5], {
      name: 'service-internet-only',
      from: 'service',
      to: 'internet',
      action: 'pass',
    });

  it('warns where UDP 53 passes to the DNS server and TCP 53 does not (truncated answers fail), at the service', async () => {
    const text = withDnsRule('udp');
    const found = (await lint(text)).filter((d) => d.rule === rule);
    expect(found.map((d) => [d.severity, d.message, d.location.line])).toEqual([
      ['warning', 'CT 200 (traefik): DNS to 10.1.0.1 passes over UDP, but policy rule service-internet-only blocks it over TCP 53, so lookups whose answers do not fit a UDP packet fail', lineOf(text, [...services, 0])],
    ]);
    // No finding of the UDP rule: UDP passes.
    expect(await findings(text, 'proxmox/guest-dns-blocked')).toEqual([]);
  });

  it('says nothing where both pass (tcp/udp), or where UDP is blocked too (the error rule speaks), nor for the reference topologies', async () => {
    expect(await findings(withDnsRule('tcp/udp'), rule)).toEqual([]);
    expect(await findings(askingFirewall, rule)).toEqual([]);
    expect((await findings(askingFirewall, 'proxmox/guest-dns-blocked')).length).toBe(1);
    for (const text of [homelab, hosting, readExample('homelab-family')]) expect(await findings(text, rule)).toEqual([]);
  });
});
