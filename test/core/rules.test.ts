// Every lint rule: a mutation of a valid example that must trigger it (at
// the right line), and the valid examples that must not.
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { ipRules } from '../../src/rules/ip.js';
import { countArrayCalls, edit, EXAMPLES, lint, modelOf, readExample, lineOfText } from '../helpers.js';

interface Case {
  rule: string;
  name: string;
  example: keyof typeof EXAMPLES;
  change: (text: string) => string;
  /** Text of the line the diagnostic must point at (after the change). */
  at: string;
  /** Which occurrence of `at` (0 = first). */
  nth?: number;
  message: RegExp;
  severity?: 'error' | 'warning';
}

const A = ['sites', 0] as const;
const wg = [...A, 'wireguard', 0] as const;
const vpc = ['aws', 'vpc'] as const;

const cases: Case[] = [
  {
    rule: 'proxmox/host-unrouted',
    name: 'a host addressed only on the WAN side',
    example: 'homelab',
    change: (t) => t.replace('              address: 10.0.0.254/24     # management IP; return routes are derived\n', ''),
    at: 'bridges:',
    message: /^host pve has no address on a network behind the firewall, so it cannot reach management \(10\.0\.0\.0\/24\), wireguard \(10\.0\.1\.0\/24\), service \(10\.1\.0\.0\/24\): its traffic there goes to its default gateway$/,
    severity: 'warning',
  },
  {
    rule: 'proxmox/host-no-address',
    name: 'a host whose bridges have no address (vmbr1 and vmbr2 added beside the installer\'s vmbr0, which the file then drops)',
    example: 'vlan-hosting',
    change: (t) => edit(t, ['sites', 0, 'proxmox', 'hosts', 0, 'bridges', 1, 'address'], undefined),
    at: 'bridges:',
    message: /^host pve has no address in the interfaces file gen writes: after Apply \(ifreload -a\) and at every boot it has no IPv4 address/,
    severity: 'warning',
  },
  {
    rule: 'ref/unknown',
    name: "a peer's role",
    example: 'homelab',
    change: (t) => edit(t, [...wg, 'peers', 1, 'role'], 'laptops'),
    at: 'role: laptops',
    message: /role "laptops" does not exist \(known: workstation, mobile, server, reserved\)/,
  },
  {
    rule: 'ref/unknown',
    name: "a rule's zone",
    example: 'homelab',
    change: (t) => t.replace('{ name: vpn-to-service, from: vpn, to: service', '{ name: vpn-to-service, from: vpn, to: services'),
    at: 'to: services',
    message: /"services" is no zone, network, service, WireGuard peer, role \(wg0\/role\) or address \(known: management, service, vpn, any, internet, self, /,
  },
  {
    rule: 'ref/unknown',
    name: 'a security-group reference',
    example: 'aws-vpc',
    change: (t) => t.replace('from_group: bastion', 'from_group: bastoin'),
    at: 'from_group: bastoin',
    message: /security group "bastoin" does not exist/,
  },
  {
    rule: 'ref/unknown',
    name: 'a bridge named by an interface',
    example: 'homelab',
    change: (t) => t.replace('bridge: vmbr2', 'bridge: vmbr9'),
    at: 'bridge: vmbr9',
    message: /bridge "vmbr9" does not exist on host pve/,
  },
  {
    rule: 'ref/unknown',
    name: "a zone's network",
    example: 'homelab',
    change: (t) => t.replace('networks: [service]', 'networks: [servise]'),
    at: 'networks: [servise]',
    message: /"servise" is no network, service, WireGuard peer, role \(wg0\/role\) or address \(known: wireguard, wan, management, service, traefik/,
  },
  {
    rule: 'ip/invalid',
    name: 'host bits set in a CIDR',
    example: 'aws-vpc',
    change: (t) => t.replace('cidr: 10.30.101.0/24', 'cidr: 10.30.101.7/24'),
    at: '10.30.101.7/24',
    message: /10\.30\.101\.7\/24 has host bits set: the network is 10\.30\.101\.0\/24/,
  },
  {
    rule: 'ip/invalid',
    name: 'an address that is not IPv4',
    example: 'homelab',
    change: (t) => t.replace('address: 10.1.0.1/24', 'address: 10.1.0.300/24'),
    at: 'address: 10.1.0.300/24',
    message: /"10\.1\.0\.300\/24" is not an address with prefix/,
  },
  {
    rule: 'ip/prefix-mismatch',
    name: 'host prefix differs from its network',
    example: 'homelab',
    change: (t) => t.replace('address: 10.0.0.254/24', 'address: 10.0.0.254/16'),
    at: '10.0.0.254/16',
    message: /prefix \/16 but its network management is 10\.0\.0\.0\/24/,
  },
  {
    rule: 'firewall/interface-kind',
    name: 'device and wireguard on one interface',
    example: 'homelab',
    change: (t) => edit(t, [...A, 'firewall', 'interfaces', 3, 'device'], 'vtnet3'),
    at: '- name: wireguard',
    message: /needs exactly one of device, vlan or wireguard \(has device, wireguard\)/,
  },
  {
    rule: 'wg/interface-address',
    name: 'an address on the WireGuard interface',
    example: 'homelab',
    change: (t) => edit(t, [...A, 'firewall', 'interfaces', 3, 'address'], '10.0.9.1/24'),
    at: 'address: 10.0.9.1/24',
    message: /cannot have an IP configuration/,
  },
  {
    rule: 'wg/role-range',
    name: 'a reversed role range',
    example: 'homelab',
    change: (t) => t.replace('{ name: server, from: 10.0.1.51, to: 10.0.1.100', '{ name: server, from: 10.0.1.100, to: 10.0.1.51'),
    at: 'name: server, from: 10.0.1.100',
    message: /role server: range ends \(10\.0\.1\.51\) before it starts/,
  },
  {
    rule: 'dhcp/no-network',
    name: 'DHCP on a DHCP-client WAN',
    example: 'vlan-hosting',
    change: (t) => edit(t, [...A, 'firewall', 'interfaces', 0, 'dhcp'], {}),
    at: 'dhcp: {}',
    message: /interface wan has a DHCP server but no static address/,
  },
  {
    rule: 'haproxy/server-port',
    name: 'a backend server whose service has no port',
    example: 'homelab',
    change: (t) => t.replace('{ name: traefik, network: service, address: 10.1.0.100, port: 80,', '{ name: traefik, network: service, address: 10.1.0.100,'),
    at: '- { service: traefik }',
    message: /server traefik has no port/,
  },
  {
    rule: 'aws/az-region',
    name: 'an AZ of another region',
    example: 'aws-vpc',
    change: (t) => t.replace('az: ap-northeast-2c, cidr: 10.30.2.0/24', 'az: ap-northeast-1c, cidr: 10.30.2.0/24'),
    at: 'az: ap-northeast-1c',
    message: /availability zone ap-northeast-1c is not in region ap-northeast-2/,
  },
  {
    rule: 'aws/nat-without-public',
    name: 'a NAT gateway without public subnets',
    example: 'aws-vpc',
    change: (t) => t.replaceAll('tier: public', 'tier: edge').replace('nat_gateway: false', 'nat_gateway: true'),
    at: 'nat_gateway: true',
    message: /a NAT gateway needs a public subnet/,
  },
  {
    rule: 'aws/sg-rule-peer',
    name: 'a rule with a CIDR and a group',
    example: 'aws-vpc',
    change: (t) => t.replace('from_group: api,', 'from_group: api, from: 10.30.0.0/16,'),
    at: 'from_group: api, from: 10.30.0.0/16',
    message: /needs exactly one of from \(a network\) or from_group/,
  },
  {
    rule: 'policy/reserved-zone-name',
    name: 'a zone named like a built-in target',
    example: 'homelab',
    change: (t) => t.replace('{ name: service, networks: [service] }', '{ name: self, networks: [service] }'),
    at: 'name: self, networks: [service]',
    message: /"self" is a built-in target/,
  },
  {
    rule: 'names/duplicate',
    name: 'two peers with one name',
    example: 'homelab',
    change: (t) => t.replace('- name: laptop-john', '- name: mac-workstation'),
    at: '- name: mac-workstation',
    nth: 1,
    message: /WireGuard peer "mac-workstation" is declared twice in instance wg0/,
  },
  {
    // Reported at the key that makes the name (assign), not at the interface's name.
    rule: 'names/duplicate',
    name: 'two interfaces assigned one key',
    example: 'homelab',
    change: (t) => t.replace('assign: opt2', 'assign: opt1'),
    at: 'assign: opt1',
    nth: 1,
    message: /OPNsense interface key "opt1" is declared twice in site home/,
  },
  {
    rule: 'names/duplicate',
    name: 'two subnets with one name',
    example: 'aws-vpc',
    change: (t) => t.replace('name: private-2c', 'name: private-2a'),
    at: 'name: private-2a, az: ap-northeast-2c',
    message: /subnet "private-2a" is declared twice in VPC main/,
  },
  {
    rule: 'ip/overlap',
    name: 'a remote network over an on-prem network',
    example: 'homelab',
    change: (t) => edit(t, [...A, 'remote_networks'], [{ name: 'office', cidr: '10.1.0.0/16' }]),
    at: 'address: 10.1.0.1/24',
    message: /network service \(10\.1\.0\.0\/24, site home\) overlaps network office \(10\.1\.0\.0\/16, site home\)/,
  },
  {
    rule: 'ip/overlap',
    name: 'the VPN tunnel over a LAN',
    example: 'homelab',
    change: (t) => t.replace('address: 10.0.1.1/24', 'address: 10.0.0.129/25'),
    at: 'address: 10.0.0.129/25',
    message: /network wireguard \(10\.0\.0\.128\/25, site home\) overlaps network management \(10\.0\.0\.0\/24, site home\)/,
  },
  {
    rule: 'ip/subnet-outside-vpc',
    name: 'a subnet outside its VPC',
    example: 'aws-vpc',
    change: (t) => t.replace('cidr: 10.30.102.0/24', 'cidr: 10.31.102.0/24'),
    at: 'cidr: 10.31.102.0/24',
    message: /subnet private-2c \(10\.31\.102\.0\/24\) is outside VPC main \(10\.30\.0\.0\/16\)/,
  },
  {
    rule: 'ip/reserved-address',
    name: 'a service on the network address',
    example: 'homelab',
    change: (t) => t.replace('address: 10.1.0.120', 'address: 10.1.0.0'),
    at: 'address: 10.1.0.0,',
    message: /service grafana: 10\.1\.0\.0 is the network address of network service/,
  },
  {
    rule: 'ip/reserved-address',
    name: 'a service on the broadcast address',
    example: 'homelab',
    change: (t) => t.replace('address: 10.1.0.120', 'address: 10.1.0.255'),
    at: 'address: 10.1.0.255',
    message: /is the broadcast address of network service/,
  },
  {
    rule: 'ip/reserved-address',
    name: 'a host on the gateway address',
    example: 'homelab',
    change: (t) => t.replace('address: 10.1.0.120', 'address: 10.1.0.1'),
    at: 'name: grafana',
    message: /service grafana: 10\.1\.0\.1 is the gateway of network service/,
  },
  {
    rule: 'ip/duplicate-address',
    name: 'two services on one address',
    example: 'homelab',
    change: (t) => t.replace('address: 10.1.0.120', 'address: 10.1.0.110'),
    at: 'name: grafana',
    message: /service grafana uses 10\.1\.0\.110, already used by service postgres/,
  },
  {
    rule: 'ip/duplicate-address',
    name: 'two peers on one address',
    example: 'homelab',
    change: (t) => t.replace('address: 10.0.1.3', 'address: 10.0.1.2'),
    at: 'address: 10.0.1.2',
    nth: 1,
    message: /peer laptop-john uses 10\.0\.1\.2, already used by peer mac-workstation/,
  },
  {
    rule: 'ip/address-outside-network',
    name: 'a service outside its declared network',
    example: 'homelab',
    change: (t) => t.replace('address: 10.1.0.120', 'address: 10.0.0.120'),
    at: 'address: 10.0.0.120',
    message: /service grafana: 10\.0\.0\.120 is outside its network service \(10\.1\.0\.0\/24\)/,
  },
  {
    rule: 'ip/address-outside-network',
    name: 'a service in no network',
    example: 'homelab',
    change: (t) => t.replace('{ name: grafana, network: service, address: 10.1.0.120', '{ name: grafana, address: 172.16.5.5'),
    at: 'address: 172.16.5.5',
    message: /service grafana: 172\.16\.5\.5 is in none of site home's networks/,
  },
  {
    rule: 'ip/address-outside-network',
    name: 'a DHCP range outside its network',
    example: 'vlan-hosting',
    change: (t) => t.replace('from: 192.168.30.100', 'from: 192.168.31.100'),
    at: 'from: 192.168.31.100',
    message: /DHCP range from 192\.168\.31\.100 is outside network vpssvc/,
  },
  {
    rule: 'dhcp/range-conflict',
    name: 'a static service inside the dynamic range',
    example: 'vlan-hosting',
    change: (t) => t.replace('address: 192.168.20.12', 'address: 192.168.20.200'),
    at: 'address: 192.168.20.200',
    message: /service web2: 192\.168\.20\.200 is inside the DHCP range 192\.168\.20\.128-192\.168\.20\.254 of websvc/,
  },
  {
    rule: 'dhcp/range-conflict',
    name: "a range over the firewall's own address",
    example: 'vlan-hosting',
    change: (t) => t.replace('from: 192.168.30.100', 'from: 192.168.30.1'),
    at: 'address: 192.168.30.1/24',
    message: /firewall interface vpssvc: 192\.168\.30\.1 is inside the DHCP range 192\.168\.30\.1-192\.168\.30\.199 of vpssvc/,
  },
  {
    rule: 'dhcp/reservation-in-range',
    name: 'a reservation inside the dynamic range',
    example: 'vlan-hosting',
    change: (t) => t.replace('dhcp: { from: 192.168.30.100, to: 192.168.30.199, dns: [1.1.1.1, 9.9.9.9] }', 'dhcp: { from: 192.168.30.100, to: 192.168.30.199, dns: [1.1.1.1, 9.9.9.9], static: [{ name: nas, mac: "02:00:00:00:00:01", address: 192.168.30.150 }] }'),
    at: 'address: 192.168.30.150',
    message: /DHCP reservation nas: 192\.168\.30\.150 is inside the DHCP range 192\.168\.30\.100-192\.168\.30\.199 of vpssvc/,
    severity: 'warning',
  },
  {
    rule: 'vlan/tag-range',
    name: 'a tag above 4094',
    example: 'vlan-hosting',
    change: (t) => t.replace('tag: 30', 'tag: 4095'),
    at: 'tag: 4095',
    message: /VLAN vpssvc: tag 4095 is outside 1-4094/,
  },
  {
    rule: 'vlan/tag-range',
    name: 'tag 0',
    example: 'vlan-hosting',
    change: (t) => t.replace('tag: 30', 'tag: 0'),
    at: 'tag: 0',
    message: /tag 0 is outside 1-4094/,
  },
  {
    rule: 'vlan/duplicate-tag',
    name: 'two VLANs with tag 10 on one parent',
    example: 'vlan-hosting',
    change: (t) => t.replace('tag: 20', 'tag: 10'),
    at: 'vlan: { parent: lan, tag: 10 }\n          address: 192.168.20.1/24',
    message: /VLAN websvc: tag 10 is already used on lan by mgmt/,
  },
  {
    rule: 'vlan/parent-device',
    name: 'a VLAN in a VLAN (QinQ): OPNsense needs the parent device, which gen would leave empty',
    example: 'vlan-hosting',
    change: (t) => t.replace('vlan: { parent: lan, tag: 30 }', 'vlan: { parent: websvc, tag: 30 }'),
    at: 'vlan: { parent: websvc, tag: 30 }',
    message: /VLAN vpssvc: its parent websvc is a VLAN, not a device interface/,
  },
  {
    rule: 'vlan/parent-device',
    name: 'a VLAN naming itself as its parent: said as such, not as if the parent were another VLAN',
    example: 'vlan-hosting',
    change: (t) => t.replace('vlan: { parent: lan, tag: 30 }', 'vlan: { parent: vpssvc, tag: 30 }'),
    at: 'vlan: { parent: vpssvc, tag: 30 }',
    message: /^VLAN vpssvc names itself as its parent: a VLAN is tagged on a device interface$/,
  },
  {
    rule: 'wg/lan-endpoint-blocked',
    name: 'block_private on the WAN with a LAN endpoint: OPNsense drops the -lan clients before the WireGuard pass',
    example: 'homelab',
    change: (t) => t.replace('          gateway: 192.168.0.1 ', '          block_private: true\n          gateway: 192.168.0.1 '),
    at: 'block_private: true',
    message: /the WAN blocks private networks, so the -lan clients of wg0 \(endpoint 192\.168\.0\.2\) are dropped before the WireGuard pass/,
  },
  {
    rule: 'opnsense/interface-description',
    name: 'a description with a space',
    example: 'homelab',
    change: (t) => t.replace('description: Service\n', 'description: Service Net\n'),
    at: 'description: Service Net',
    message: /description "Service Net" is not \[A-Za-z0-9_\]/,
  },
  {
    rule: 'ports/range',
    name: 'a reversed port range',
    example: 'homelab',
    change: (t) => t.replace('{ name: vpn-to-service, from: vpn, to: service, action: pass }', '{ name: vpn-to-service, from: vpn, to: service, proto: tcp, ports: ["9000-8000"], action: pass }'),
    at: '9000-8000',
    message: /"9000-8000" is not a range within 1-65535/,
  },
  {
    rule: 'ports/range',
    name: 'a range written with a leading zero',
    example: 'homelab',
    change: (t) => t.replace('{ name: vpn-to-service, from: vpn, to: service, action: pass }', '{ name: vpn-to-service, from: vpn, to: service, proto: tcp, ports: ["0080-0443"], action: pass }'),
    at: '0080-0443',
    message: /"0080-0443" writes a port with a leading zero: OPNsense maps no such port and disables the rule; write it "80-443"/,
  },
  {
    rule: 'wg/peer-outside-tunnel',
    name: 'a peer outside the tunnel',
    example: 'homelab',
    change: (t) => t.replace('address: 10.0.1.3', 'address: 10.0.2.3'),
    at: 'address: 10.0.2.3',
    message: /peer laptop-john: 10\.0\.2\.3 is outside the tunnel network 10\.0\.1\.0\/24 of wg0/,
  },
  {
    rule: 'wg/peer-outside-role',
    name: "a workstation in the mobile range",
    example: 'homelab',
    change: (t) => t.replace('address: 10.0.1.3', 'address: 10.0.1.20'),
    at: 'address: 10.0.1.20',
    message: /peer laptop-john: 10\.0\.1\.20 is outside role workstation \(10\.0\.1\.2-10\.0\.1\.10\)/,
  },
  {
    rule: 'wg/role-overlap',
    name: 'mobile overlapping workstations',
    example: 'homelab',
    change: (t) => t.replace('{ name: mobile, from: 10.0.1.11', '{ name: mobile, from: 10.0.1.9'),
    at: 'name: mobile, from: 10.0.1.9',
    message: /role mobile \(10\.0\.1\.9-10\.0\.1\.50\) overlaps role workstation/,
  },
  {
    rule: 'wg/role-outside-tunnel',
    name: 'a role reaching the broadcast address',
    example: 'homelab',
    change: (t) => t.replace('to: 10.0.1.254, description: Reserved', 'to: 10.0.1.255, description: Reserved'),
    at: 'to: 10.0.1.255',
    message: /role reserved \(10\.0\.1\.101-10\.0\.1\.255\) is not inside 10\.0\.1\.1-10\.0\.1\.254/,
  },
  {
    rule: 'aws/tier-single-az',
    name: 'a private tier in one AZ',
    example: 'aws-vpc',
    change: (t) => t.replace(/ *- \{ name: private-2c.*\n/, ''),
    at: 'name: private-2a',
    message: /tier private lives only in ap-northeast-2a \(private-2a\)/,
    severity: 'warning',
  },
];

const lineOf = (text: string, needle: string, nth = 0): number => lineOfText(text, needle, { nth });

describe('every example is clean (the passing case of every rule)', () => {
  for (const name of Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[]) {
    it(name, async () => {
      expect(await lint(readExample(name))).toEqual([]);
    });
  }
});

describe('each rule fires on its mistake, at the offending line', () => {
  for (const c of cases) {
    it(`${c.rule}: ${c.name}`, async () => {
      const changed = c.change(readExample(c.example));
      expect(changed).not.toBe(readExample(c.example));
      const diagnostics = await lint(changed);
      const hits = diagnostics.filter((d: Diagnostic) => d.rule === c.rule && c.message.test(d.message));
      expect(hits, JSON.stringify(diagnostics, null, 1)).toHaveLength(1);
      const hit = hits[0]!;
      expect(hit.severity).toBe(c.severity ?? 'error');
      expect(hit.location.file).toBe('topology.yaml');
      expect(hit.location.line).toBe(lineOf(changed, c.at, c.nth));
      expect(hit.hint).toBeTruthy();
    });
  }
});

describe('a classic mistake: two public subnets both 10.30.1.0/24', () => {
  it('names both subnets and both locations', async () => {
    const text = readExample('aws-vpc').replace('cidr: 10.30.2.0/24', 'cidr: 10.30.1.0/24');
    const diagnostics = await lint(text, 'examples/aws-vpc.yaml');
    expect(diagnostics).toHaveLength(1);
    const [d] = diagnostics;
    expect(d!.rule).toBe('ip/overlap');
    expect(d!.message).toContain('public-2c');
    expect(d!.message).toContain('public-2a');
    expect(d!.location).toEqual({ file: 'examples/aws-vpc.yaml', line: 15, col: 55 });
    expect(d!.related).toEqual([{ message: expect.stringContaining('public-2a'), location: { file: 'examples/aws-vpc.yaml', line: 14, col: 55 } }]);
  });

  it('a subnet inside its own VPC is not an overlap, a network inside the VPC is', async () => {
    const clean = await lint(readExample('aws-vpc'));
    expect(clean).toEqual([]);
    const withSite = `${readExample('aws-vpc')}\nsites:\n  - name: office\n    remote_networks:\n      - { name: lab, cidr: 10.30.200.0/24 }\n`;
    const diagnostics = await lint(withSite);
    expect(diagnostics.map((d) => [d.rule, d.message])).toEqual([
      ['ip/overlap', 'network lab (10.30.200.0/24, site office) overlaps network main (10.30.0.0/16, AWS)'],
    ]);
  });
});

export { cases };

describe('wg/unassigned', () => {
  it('an instance no firewall interface assigns is an error at its name', async () => {
    const text = readExample('homelab').replace('          wireguard: wg0                 # assigned and enabled; no IP of its own\n', '          device: vtnet3\n');
    const diagnostics = await lint(text);
    const hit = diagnostics.find((d) => d.rule === 'wg/unassigned');
    expect(hit?.message).toBe('WireGuard instance wg0 is not assigned to any firewall interface');
    expect(hit?.location.line).toBe(text.split('\n').findIndex((l) => l.includes('- name: wg0')) + 1);
  });
});

describe('one mistake, one finding', () => {
  const errorsOf = async (text: string) => [...new Set((await lint(text)).filter((d) => d.severity === 'error').map((d) => d.rule))];

  it('a NAT gateway without a public subnet is not also a route to a missing NAT gateway', async () => {
    // (Without public addresses too: public_ip_on_launch on a tier without the internet gateway is a mistake of its own.)
    const text = readExample('aws-vpc').replaceAll('tier: public, public_ip_on_launch: true', 'tier: edge').replace('nat_gateway: false', 'nat_gateway: true');
    expect(await errorsOf(text)).toEqual(['aws/nat-without-public']);
  });

  it('an interface with no device, vlan or wireguard is not also a NIC without a bridge', async () => {
    const text = edit(readExample('homelab'), [...A, 'firewall', 'interfaces', 4], { name: 'dmz', assign: 'opt3', address: '10.2.0.1/24' });
    expect(await errorsOf(text)).toEqual(['firewall/interface-kind']);
  });

  it('two WireGuard instances on one port are not also a clash of upstream forwards', async () => {
    let text = edit(readExample('homelab-family'), [...A, 'wireguard', 1], { name: 'wg1', listen_port: 51820, address: '10.10.98.1/24', public_key: 'HYL1GaNqsT8zl4a8bSHt0R4yD6kLZwCvq2jTR3k7Las=', endpoint: 'home.example.org' });
    text = edit(text, [...A, 'firewall', 'interfaces', 5], { name: 'guests', wireguard: 'wg1' });
    expect(await errorsOf(text)).toEqual(['wg/duplicate-listen-port']);
    // A router port two different listeners need stays an upstream finding.
    const forwards = edit(readExample('homelab'), [...A, 'firewall', 'upstream', 'port_forwards', 1], { proto: 'tcp', port: 80, external_port: 443 });
    expect(await errorsOf(edit(forwards, [...A, 'policy', 'tests'], []))).toEqual(['upstream/duplicate-external-port']);
  });
});

describe("a finding's fix names what to change, for the cause found", () => {
  const hintsOf = async (text: string, rule: string) => (await lint(text)).filter((d) => d.rule === rule).map((d) => d.hint);
  const C = readExample('aws-vpc');
  const H = readExample('homelab');
  const sg = (group: number, rule: object) => edit(C, [...vpc, 'security_groups', group, 'ingress', 0], rule);

  it('aws/sg-rule-peer: the key of the wrong direction, both peers, or none', async () => {
    expect(await hintsOf(sg(3, { proto: 'tcp', ports: [5432], to_group: 'api' }), 'aws/sg-rule-peer')).toEqual([
      'An ingress rule names its source: write from_group instead of to_group, or move the rule to egress.',
    ]);
    expect(await hintsOf(sg(3, { proto: 'tcp', ports: [5432], from_group: 'api', from: '10.30.0.0/16' }), 'aws/sg-rule-peer')).toEqual([
      'Keep one of from: 10.30.0.0/16 and from_group: api; for both, write two rules.',
    ]);
    expect(await hintsOf(sg(3, { proto: 'tcp', ports: [5432] }), 'aws/sg-rule-peer')).toEqual(['Add from (a network such as 10.0.0.0/16) or from_group (a security group of this VPC).']);
  });

  it('aws/route-target: the NAT gateway, the VPN or the egress the route needs', async () => {
    const routes = (tables: object[]) => edit(C, [...vpc, 'route_tables'], tables);
    expect(await hintsOf(routes([{ tier: 'private', egress: 'nat-gateway' }]), 'aws/route-target')).toEqual([
      'Set nat_gateway: true on VPC main, or send 0.0.0.0/0 of tier private elsewhere.',
    ]);
    expect(await hintsOf(routes([{ tier: 'private', routes: [{ destination: '192.168.0.0/16', target: 'vpn-gateway' }] }]), 'aws/route-target')).toEqual([
      'Add site_to_site (the site the VPN goes to) on VPC main, or send 192.168.0.0/16 of tier private elsewhere.',
    ]);
    expect(await hintsOf(routes([{ tier: 'public', egress: 'none' }]), 'aws/route-target')).toEqual([
      'Remove egress from the route table of the public tier; give subnets that must not reach the internet a tier of their own.',
    ]);
  });

  it('aws/customer-gateway: the firewall of the site, or the VPN itself when the site has none', async () => {
    const s2s = (text: string, site: string) => edit(edit(text, [...vpc, 'site_to_site'], { site }), ['aws', 'region'], 'ap-northeast-2');
    const joined = s2s(edit(H, ['aws', 'vpc'], { name: 'main', cidr: '10.30.0.0/16', subnets: [{ name: 'a', az: 'ap-northeast-2a', cidr: '10.30.1.0/24', tier: 'private' }] }), 'home');
    expect(await hintsOf(joined, 'aws/customer-gateway')).toEqual([
      "Set public_address on the firewall of site home (the address the internet reaches it at: behind a NAT router, the router's), or customer_gateway_ip here.",
    ]);
    const office = s2s(`${C}\nsites:\n  - name: office\n    remote_networks:\n      - { name: lab, cidr: 192.168.50.0/24 }\n`, 'office');
    expect(await hintsOf(office, 'aws/customer-gateway')).toEqual([
      "Set customer_gateway_ip here to the public address of site office's VPN device: the site has no firewall gen describes.",
    ]);
  });

  it('aws/refused-value: the value to change and how', async () => {
    expect(await hintsOf(edit(C, [...vpc, 'security_groups', 2, 'name'], 'sg-jenkins').replace('to: jenkins', 'to: sg-jenkins'), 'aws/refused-value')).toEqual([
      'Rename security group sg-jenkins (and the from_group and to_group that name it), e.g. to jenkins.',
    ]);
    expect(await hintsOf(sg(2, { proto: 'all', ports: [8080], from: '198.51.100.7/32' }), 'aws/refused-value')).toEqual([
      'Set proto: tcp or udp (or tcp/udp) to open only these ports, or remove ports to open every one.',
    ]);
    const inside = edit(C, [...vpc, 'route_tables'], [{ tier: 'private', routes: [{ destination: '10.30.5.0/24', target: 'internet-gateway' }] }]);
    expect(await hintsOf(inside, 'aws/refused-value')).toEqual(['Remove the route to 10.30.5.0/24: traffic inside 10.30.0.0/16 never leaves the VPC.']);
    const bucket = H.replaceAll('iksan-cloud-backup-20251129', 'backup.-2025');
    expect(await hintsOf(bucket, 'aws/refused-value')).toEqual(['Rename bucket backup.-2025 (and where it is named) to a name without a dot next to a dot or a dash.']);
  });

  it('aws/description-charset: the characters AWS refuses', async () => {
    expect(await hintsOf(edit(C, [...vpc, 'security_groups', 3, 'description'], "The API's database"), 'aws/description-charset')).toEqual([
      "Rewrite the description without ' (the characters AWS refuses here).",
    ]);
  });

  it('backup/bucket-lifecycle, backup/pbs-names, backup/no-writer: the setting of this bucket, id or user', async () => {
    const bucket = ['aws', 'buckets', 0];
    expect(await hintsOf(edit(H, [...bucket, 'keep_noncurrent_forever'], 'legal hold'), 'backup/bucket-lifecycle')).toEqual([
      'Keep one: noncurrent_days: 30 to delete old versions after that many days, or keep_noncurrent_forever to keep them.',
    ]);
    expect(await hintsOf(edit(H, [...A, 'backup', 'pbs', 'pve_storage'], '2025-pbs'), 'backup/pbs-names')).toEqual([
      'Rename pve_storage so that it starts with a letter and ends with a letter or digit, e.g. pbs.',
    ]);
    const intents = ['aws', 'iam', 'users', 0, 'intents'];
    expect(await hintsOf(edit(H, intents, [{ intent: 'reader', bucket: 'iksan-cloud-backup-20251129' }]), 'backup/no-writer')).toEqual([
      'Give an IAM user under aws.iam.users the intent { intent: backup-writer, bucket: iksan-cloud-backup-20251129 }.',
    ]);
    expect(await hintsOf(edit(H, intents, [{ intent: 'backup-writer', bucket: 'iksan-cloud-backup-20251129', prefix: 'pbs/' }]), 'backup/no-writer')).toEqual([
      'Set prefix: vm-backup-s3/ on that intent (or remove the prefix).',
    ]);
  });
  it('opnsense/haproxy-bind: the redirect to drop, or the frontend to serve the sites from', async () => {
    const frontends = ['sites', 0, 'haproxy', 'frontends'];
    const second = (frontend: object) => edit(H, [...frontends, 1], { interface: 'wan', certificate: 'wildcard', default_backend: 'web', ...frontend });
    expect(await hintsOf(second({ name: 'admin', bind: '0.0.0.0:443' }), 'opnsense/haproxy-bind')).toEqual([
      'Serve the sites of frontend admin from frontend https with hosts (each host name routed to its backend), or bind frontend admin to another port or address.',
    ]);
    expect(await hintsOf(second({ name: 'admin', bind: '0.0.0.0:8443', http_redirect: true }), 'opnsense/haproxy-bind')).toEqual([
      'Remove http_redirect from frontend admin: the HTTP redirect of frontend https already has port 80.',
    ]);
    expect(await hintsOf(second({ name: 'plain', bind: '0.0.0.0:80' }), 'opnsense/haproxy-bind')).toEqual([
      'Bind frontend plain to another port, or remove http_redirect from frontend https.',
    ]);
  });

  it('opnsense/dhcp-dns-blocked: the interface, and the rule to pass DNS before', async () => {
    const hosting = readExample('vlan-hosting');
    expect(await hintsOf(edit(hosting, [...A, 'firewall', 'interfaces', 3, 'dhcp'], {}), 'opnsense/dhcp-dns-blocked')).toEqual([
      'Set dhcp.dns on interface websvc to resolvers it may reach (e.g. [1.1.1.1, 9.9.9.9]), or add a rule passing UDP and TCP 53 from websvc to self before policy rule hosting-internet-only.',
    ]);
  });

  it('opnsense/group-name: a name without the digit, and the characters a description may not hold', async () => {
    const group = (g: object) => edit(H, [...A, 'firewall', 'groups'], [{ members: ['management', 'service'], ...g }]);
    expect(await hintsOf(group({ name: 'inside1' }), 'opnsense/group-name')).toEqual(['Rename group inside1 to a name that does not end in a digit (e.g. inside).']);
    expect(await hintsOf(group({ name: 'lan' }), 'opnsense/group-name')).toEqual(['Rename group lan: rules that name lan would mean the interface.']);
    expect(await hintsOf(group({ name: 'inside', description: 'Inside (LAN & servers)' }), 'opnsense/group-name')).toEqual(['Rewrite the description of group inside without ( & ).']);
  });

  it('haproxy: the certificate to name the host, the passthrough to untangle, the backend to speak TLS', async () => {
    const family = readExample('homelab-family');
    expect(await hintsOf(edit(family, [...A, 'haproxy', 'certificates', 0, 'domain'], 'cloud.example.org'), 'haproxy/host-not-in-certificate')).toEqual([
      'Add media.example.org to alt_names of certificate web, or leave its domain out to take the names from the hosts of frontend https.',
    ]);
    const passthrough = edit(H, [...A, 'haproxy', 'frontends', 1], { name: 'nas', bind: '0.0.0.0:8443', interface: 'wan', passthrough: true, default_backend: 'web' });
    expect(await hintsOf(passthrough, 'haproxy/mode-conflict')).toEqual(['Give passthrough frontend nas a backend of its own, with the servers\' TLS port and without tls.']);
    const plain = edit(H, [...A, 'haproxy', 'backends', 0, 'servers'], [{ name: 'nas', address: '10.1.0.50', port: 443 }]);
    expect(await hintsOf(plain, 'haproxy/backend-plain-tls-port')).toEqual([
      'Set tls: true on backend web (with verify: ca and its ca, or verify: none for a self-signed nas), or use the plain HTTP port of nas.',
    ]);
  });
  it('Proxmox: the device, bridge, vids or tag to set', async () => {
    const hosting = readExample('vlan-hosting');
    const fwIfaces = [...A, 'firewall', 'interfaces'];
    expect(await hintsOf(edit(H, [...fwIfaces, 2, 'device'], 'vtnet3'), 'proxmox/firewall-nic-order')).toEqual(['Set device: vtnet2 on interface service.']);
    expect(await hintsOf(edit(H, [...fwIfaces, 0, 'device'], 'em0'), 'proxmox/firewall-nic-order')).toContain('Name the device of interface wan vtnetN, N the number of its NIC on VM 102 (opnsense) (net0 is vtnet0).');
    const bridge = [...A, 'proxmox', 'hosts', 0, 'bridges', 1];
    expect(await hintsOf(edit(hosting, [...bridge, 'vids'], [10, 20]), 'proxmox/bridge-missing-vlan')).toEqual([
      "Add 30 to vids of bridge vmbr2, or leave vids out to derive them from the firewall's VLANs.",
    ]);
    expect(await hintsOf(edit(hosting, [...bridge, 'vids'], ['1-30']), 'proxmox/vids-refused')).toEqual([
      'Remove VLAN 1 from vids entry 1-30 of bridge vmbr2 (start the range at 2): the bridge carries it untagged anyway.',
    ]);
    expect(await hintsOf(edit(hosting, [...bridge, 'vids'], [10, '20-20', 30]), 'proxmox/vids-refused')).toEqual(['Write 20 instead of 20-20.']);
    expect(await hintsOf(edit(hosting, [...fwIfaces, 2, 'vlan', 'tag'], 1), 'proxmox/vlan-1-native')).toEqual([
      'Give VLAN mgmt a tag from 2 to 4094, or put its network on interface lan itself (untagged).',
    ]);
    const tagged = edit(H, [...A, 'firewall', 'vm', 'nics'], [{ bridge: 'vmbr0' }, { bridge: 'vmbr1' }, { bridge: 'vmbr2', tag: 20 }]);
    expect(await hintsOf(tagged, 'proxmox/guest-vlan')).toEqual(['Set vlan_aware: true on bridge vmbr2 of host pve.']);
    const token = edit(hosting, [...A, 'proxmox', 'api_tokens', 0], { user: 'whmcs-api@pve', token: 'whmcs_token', role: 'PVEAdmin', path: '/' });
    expect(await hintsOf(token, 'proxmox/broad-token-role')).toEqual([
      'Replace role: PVEAdmin and path: / of token whmcs-api@pve!whmcs_token with intent: vm-provisioning (and what it needs), or silence the finding with a reason.',
    ]);
  });

  it('proxmox/guest-network: the host that has the bridge', async () => {
    const hosts = [...A, 'proxmox', 'hosts'];
    let text = edit(H, [...hosts, 1], { name: 'pve2', bridges: [{ name: 'vmbr0' }] });
    text = edit(text, [...A, 'services', 0, 'host'], 'pve2');
    for (const i of [1, 2]) text = edit(text, [...A, 'services', i, 'host'], 'pve');
    text = edit(text, [...A, 'backup', 'pbs', 'vm', 'host'], 'pve');
    expect(await hintsOf(text, 'proxmox/guest-network')).toEqual(['Add bridge vmbr2 to host pve2, or run CT 200 (traefik) on pve (host:).']);
  });

  it('WireGuard: the longest tunnel name, the MTU that fits, the rule the reach list needs', async () => {
    expect(await hintsOf(edit(H, [...wg, 'peers', 1, 'name'], 'john-thinkpad'), 'wg/client-file-name')).toEqual([
      'Set tunnel_name on peer john-thinkpad to at most 11 characters (john-thinkpad-lan.conf takes 4 more).',
    ]);
    expect(await hintsOf(edit(H, [...wg, 'mtu'], 1440), 'wg/mtu-overhead')).toEqual([
      'Set mtu: 1420 on wg0, or raise the MTU of interface wan to 1520 (if the link to the router carries it).',
    ]);
    expect(await hintsOf(edit(H, [...wg, 'reach'], ['management', 'wan']), 'wg/reach-without-pass')).toEqual([
      'Add a pass rule to wan from the tunnel (from: wireguard), their roles or a zone of theirs, or remove wan from reach.',
    ]);
  });

  it('suppress/unknown-rule: the rule id meant, or why it cannot be silenced', async () => {
    const text = (comment: string) => H.replace('    services:\n', `    # gen-ignore ${comment}\n    services:\n`);
    expect(await hintsOf(text('overlaps: both are fine'), 'suppress/unknown-rule')).toEqual(['Did you mean ip/overlap? Write the rule id as docs/rules.md has it.']);
    expect(await hintsOf(text('ref/unknown: on purpose'), 'suppress/unknown-rule')).toEqual([
      'Fix what ref/unknown reports and remove the comment: gen cannot model a file with that finding, so it cannot be silenced.',
    ]);
    expect(await hintsOf(text('ip/overlap'), 'suppress/missing-reason')).toEqual(['Write the reason after a colon: # gen-ignore ip/overlap: why this is fine here']);
  });

  it('dhcp/range-conflict: the range and the address', async () => {
    const text = readExample('vlan-hosting').replace('address: 192.168.20.12', 'address: 192.168.20.200');
    expect(await hintsOf(text, 'dhcp/range-conflict')).toEqual([
      'Narrow the DHCP range of websvc (dhcp.from / dhcp.to) so that it leaves 192.168.20.200 out, or give service web2 an address outside 192.168.20.128-192.168.20.254.',
    ]);
  });
  it("WireGuard peers: the next free address of the peer's role", async () => {
    // The peer's own address is free again once it moves.
    expect(await hintsOf(H.replace('address: 10.0.1.3', 'address: 10.0.1.2'), 'ip/duplicate-address')).toEqual([
      'Set address: 10.0.1.3 on peer laptop-john, the next free address of role workstation.',
    ]);
    expect(await hintsOf(H.replace('address: 10.1.0.120', 'address: 10.1.0.110'), 'ip/duplicate-address')).toEqual(['Give service grafana or service postgres another address.']);
    expect(await hintsOf(H.replace('address: 10.0.1.3', 'address: 10.0.1.20'), 'wg/peer-outside-role')).toEqual([
      'Set address: 10.0.1.3 on peer laptop-john, the next free address of role workstation, or set role: mobile if that is what the peer is.',
    ]);
    expect(await hintsOf(H.replace('address: 10.0.1.3', 'address: 10.0.2.3'), 'wg/peer-outside-tunnel')).toEqual([
      'Set address: 10.0.1.3 on peer laptop-john, the next free address of role workstation.',
    ]);
    expect(await hintsOf(H.replace('from: 10.0.1.51, to: 10.0.1.100', 'from: 10.0.1.100, to: 10.0.1.51'), 'wg/role-range')).toEqual(['Write from: 10.0.1.51, to: 10.0.1.100.']);
  });

  it('policy: the rule to move or remove, and the rule or test to change', async () => {
    const hosting = readExample('vlan-hosting');
    const rules = [...A, 'policy', 'rules'];
    const shadowed = edit(hosting, [...rules, 3], { name: 'lan-no-ssh', from: 'lan', to: 'mgmt', proto: 'tcp', ports: [22], action: 'block' });
    expect(await hintsOf(shadowed, 'policy/shadowed')).toEqual(['Move policy rule lan-no-ssh before policy rule lan-out, narrow that rule, or remove policy rule lan-no-ssh.']);
    expect(await hintsOf(edit(H, [...A, 'policy', 'rules', 5], { name: 'vpn-not-to-router', from: 'vpn', to: 'wan', action: 'block' }), 'policy/redundant')).toEqual([
      'Remove policy rule vpn-not-to-router, or set log: true on it if it is there to log its traffic.',
    ]);
    const tests = [...A, 'policy', 'tests'];
    expect(await hintsOf(edit(H, [...tests, 11], { from: 'vpn', to: 'postgres', proto: 'tcp', port: 5432, expect: 'deny' }), 'policy/test-failed')).toEqual([
      'Change policy rule vpn-to-service so that it no longer passes this flow, or set expect: accept if that is the verdict you want.',
    ]);
    expect(await hintsOf(edit(H, [...tests, 11], { from: 'service', to: 'vpn', proto: 'tcp', port: 22, expect: 'accept' }), 'policy/test-failed')).toEqual([
      'Change policy rule service-internet-only so that it no longer blocks this flow, or set expect: deny if that is the verdict you want.',
    ]);
    expect(await hintsOf(edit(H, [...tests, 11], { from: 'vpn', to: 'wan', proto: 'tcp', port: 22, expect: 'accept' }), 'policy/test-failed')).toEqual([
      'Add a rule that passes this flow (it got deny by the default deny), or set expect: deny if that is the verdict you want.',
    ]);
  });

  it('guests, HAProxy servers and Proxmox roles: the key to set or the name meant', async () => {
    const services = [...A, 'services'];
    expect(await hintsOf(edit(H, [...services, 0, 'vm'], 300), 'proxmox/guest-definition')).toEqual(['Keep container: 200 or vm: 300 on service traefik, not both.']);
    expect(await hintsOf(edit(H, [...services, 0, 'guest'], { iso: 'local:iso/debian.iso' }), 'proxmox/guest-definition')).toEqual([
      'Replace guest.iso of service traefik with template (a container template such as local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst), or make the service a VM.',
    ]);
    expect(await hintsOf(edit(H, [...services, 0, 'guest'], { create: true, template: 'local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst' }), 'proxmox/guest-definition')).toEqual([
      'Set disk_gb next to create on CT 200 (traefik) (e.g. 8 for a small container).',
    ]);
    const noPort = H.replace('{ name: traefik, network: service, address: 10.1.0.100, port: 80,', '{ name: traefik, network: service, address: 10.1.0.100,');
    expect(await hintsOf(noPort, 'haproxy/server-port')).toEqual(['Set port on service traefik (the port it serves on), or on this server of backend web.']);
    expect(await hintsOf(edit(H, [...A, 'haproxy', 'backends', 0, 'servers'], [{ name: 'nas', address: '10.1.0.50' }]), 'haproxy/server-port')).toEqual([
      'Add port to the server, or name the service it is (service:).',
    ]);
    const hosting = readExample('vlan-hosting');
    const token = (role: string) => edit(hosting, [...A, 'proxmox', 'api_tokens', 1], { user: 'monitor@pve', token: 'grafana', role, path: '/' });
    expect(await hintsOf(token('PVEAudit'), 'proxmox/unknown-role')).toEqual(['Did you mean PVEAuditor? Otherwise define PVEAudit under proxmox.roles with its privileges.']);
    const role = edit(hosting, [...A, 'proxmox', 'roles'], [{ name: 'PVEMonitoring', privileges: ['Sys.Audit'] }]);
    expect(await hintsOf(role, 'proxmox/role-name')).toEqual(['Rename role PVEMonitoring (e.g. Monitoring), and the tokens that name it.']);
  });

  it('ip/address-outside-network: the network that holds the address, or the end of the range to move', async () => {
    expect(await hintsOf(H.replace('address: 10.1.0.120', 'address: 10.0.0.120'), 'ip/address-outside-network')).toEqual([
      'Give service grafana an address inside 10.1.0.0/24, or set network: management, which holds 10.0.0.120.',
    ]);
    expect(await hintsOf(readExample('vlan-hosting').replace('from: 192.168.30.100', 'from: 192.168.31.100'), 'ip/address-outside-network')).toEqual([
      'Set dhcp.from of interface vpssvc to an address inside 192.168.30.0/24.',
      // The range also ends before it starts, and the rule's general fix stands for that.
      expect.stringContaining('Correct the address'),
    ]);
    expect(await hintsOf(readExample('vlan-hosting').replace('from: 192.168.30.100, to: 192.168.30.199', 'from: 192.168.30.199, to: 192.168.30.100'), 'ip/address-outside-network')).toEqual([
      'Write from: 192.168.30.100, to: 192.168.30.199.',
    ]);
  });

  it('wg/reach-empty: the peer and its role', async () => {
    const family = edit(readExample('homelab-family'), [...A, 'wireguard', 0, 'peers', 4], {
      name: 'aunt-nas',
      role: 'remote-site',
      address: '10.10.99.51',
      public_key: 'cm5P5UjJ0ig1O4on4iEnmYXyqiJEntnqb0GjG0GMsyc=',
    });
    expect(await hintsOf(family, 'wg/reach-empty')).toEqual([
      'Add a pass rule from aunt-nas or its role wg0/remote-site (or a zone holding either) to what it may reach, or give it a role that has one.',
    ]);
  });
  it('ports, DHCP, keys and bridges: the port, key or setting to write', async () => {
    const family = readExample('homelab-family');
    let twoOnOnePort = edit(family, [...A, 'wireguard', 1], { name: 'wg1', listen_port: 51820, address: '10.10.98.1/24', public_key: 'HYL1GaNqsT8zl4a8bSHt0R4yD6kLZwCvq2jTR3k7Las=', endpoint: 'home.example.org' });
    twoOnOnePort = edit(twoOnOnePort, [...A, 'firewall', 'interfaces', 5], { name: 'guests', wireguard: 'wg1' });
    expect(await hintsOf(twoOnOnePort, 'wg/duplicate-listen-port')).toEqual(['Set listen_port: 51821 on wg1 (and forward that port to the firewall where a router is in front).']);
    const forwarded = edit(H, [...A, 'firewall', 'upstream', 'port_forwards', 0, 'external_port'], 51999);
    expect(await hintsOf(forwarded, 'upstream/listener-unforwarded')).toEqual([
      'Set endpoint_port: 51999 on wg0 if the router forwards that port, or external_port: 51820 on this forward.',
    ]);
    expect(await hintsOf(edit(H, [...wg, 'dns'], ['10.0.0.1']), 'wg/dns-split-tunnel')).toEqual([
      'Remove dns from wg0 (clients keep their own resolver), or set tunnel: full if every lookup should go through the tunnel.',
    ]);
    expect(await hintsOf(edit(H, [...wg, 'peers', 3], { name: 'laptop-jane', role: 'workstation', address: '10.0.1.4' }), 'opnsense/peer-without-key')).toEqual([
      "Write the public_key of laptop-jane's device, or let gen make a key pair: remove the peer and run gen wg add-peer laptop-jane --role workstation.",
    ]);
    const hosting = readExample('vlan-hosting');
    expect(await hintsOf(edit(hosting, [...A, 'firewall', 'interfaces', 0, 'dhcp'], {}), 'dhcp/no-network')).toEqual([
      'Remove dhcp from interface wan: it takes its own address by DHCP, so another server serves its network.',
    ]);
    expect(await hintsOf(edit(hosting, [...A, 'firewall', 'dhcp_server'], 'isc'), 'opnsense/dhcp-server-release')).toEqual([
      'Install os-isc-dhcp on opnsense (System > Firmware > Plugins) before restoring, or remove dhcp_server: isc to use dnsmasq.',
    ]);
    const bridge = edit(edit(H, [...A, 'proxmox', 'hosts', 0, 'bridges', 2, 'vlan_aware'], false), [...A, 'proxmox', 'hosts', 0, 'bridges', 2, 'vids'], [20, 30]);
    expect(await hintsOf(bridge, 'proxmox/vids-without-vlan-aware')).toEqual(['Set vlan_aware: true on bridge vmbr2 to carry VLANs 20, 30, or remove its vids.']);
  });
});

describe('ip/duplicate-address among many peers', () => {
  it("makes the peers' next free addresses only for a duplicate", async () => {
    const model = await modelOf(readExample('homelab'));
    const peers = model.sites[0]!.wireguard[0]!.peers;
    for (let i = 0; i < 2000; i++) peers.push(Object.assign({}, peers[0]!, { name: `many-${i}`, path: ['sites', 0, 'wireguard', 0, 'peers', peers.length] }));
    const rule = ipRules.find((r) => r.id === 'ip/duplicate-address')!;
    const found: string[] = [];
    // A key joined from the path of each peer, before any duplicate was met: 2,000 of each.
    const { calls } = countArrayCalls(['join', 'concat'], () => rule.check!(model, (f) => found.push(f.message)));
    expect(found).toEqual([]);
    expect(calls).toBeLessThan(20);
  });
});
