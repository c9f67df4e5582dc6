// The resolved model carries every derived fact of the scenarios.
import { describe, expect, it } from 'vitest';
import type { PolicyObject } from '../../src/model.js';
import { ResolveContext } from '../../src/resolve/context.js';
import { resolvePolicy } from '../../src/resolve/policy.js';
import { resolveWireguardInstance } from '../../src/resolve/wireguard.js';
import { countArrayCalls, edit, lineOfText, lint, modelOf, readExample } from '../helpers.js';

describe('scenario A (homelab)', async () => {
  const model = await modelOf(readExample('homelab'));
  const site = model.sites[0]!;

  it('derives each interface network and gateway', () => {
    const networks = Object.fromEntries(site.networks.map((n) => [n.name, [n.kind, n.cidr, n.gateway]]));
    expect(networks).toEqual({
      wireguard: ['vpn', '10.0.1.0/24', '10.0.1.1'],
      wan: ['wan', '192.168.0.0/24', '192.168.0.1'],
      management: ['internal', '10.0.0.0/24', '10.0.0.1'],
      service: ['internal', '10.1.0.0/24', '10.1.0.1'],
    });
    const keys = site.firewall!.interfaces.map((i) => [i.name, i.key, i.device, i.addressing]);
    expect(keys).toEqual([
      ['wan', 'wan', 'vtnet0', 'static'],
      ['management', 'lan', 'vtnet1', 'static'],
      ['service', 'opt1', 'vtnet2', 'static'],
      ['wireguard', 'opt2', 'wg0', 'none'],
    ]);
  });

  it('derives the Proxmox return routes and the default gateway: the tunnel, and the service network its bridge carries without a host address', () => {
    const pve = site.hosts[0]!;
    expect(pve.defaultGateway).toEqual({ address: '192.168.0.1', bridge: 'vmbr0' });
    expect(pve.routes).toEqual([
      { destination: '10.0.1.0/24', via: '10.0.0.1', bridge: 'vmbr1', network: 'home/wireguard' },
      { destination: '10.1.0.0/24', via: '10.0.0.1', bridge: 'vmbr1', network: 'home/service' },
    ]);
  });

  it('derives what the VPN may reach and the client AllowedIPs from the policy', () => {
    const wg0 = site.wireguard[0]!;
    // 10.0.0.0/24 (management) and 10.0.1.0/24 (the tunnel) join into the fewest prefixes.
    for (const peer of wg0.peers) {
      expect(peer.reach, peer.name).toEqual(['10.0.0.0/23', '10.1.0.0/24']);
      expect(peer.allowedIps, peer.name).toEqual(['10.0.0.0/23', '10.1.0.0/24']);
    }
  });

  it('computes the next free address per role', () => {
    expect(site.wireguard[0]!.nextFree).toEqual({ workstation: '10.0.1.4', mobile: '10.0.1.12', server: '10.0.1.51', reserved: '10.0.1.101' });
  });

  it('derives the WAN passes the exposed services need, before the topology rules', () => {
    const rules = site.policy.rules.map((r) => [r.name, r.from.kind, r.to.kind, r.proto, r.ports.join(','), r.action]);
    expect(rules).toEqual([
      ['wireguard-wg0', 'wan', 'wan-address', 'udp', '51820', 'pass'],
      ['haproxy-https', 'wan', 'wan-address', 'tcp', '80,443', 'pass'],
      ['vpn-to-management', 'zone', 'zone', 'any', '', 'pass'],
      ['vpn-to-service', 'zone', 'zone', 'any', '', 'pass'],
      ['vpn-to-vpn', 'zone', 'zone', 'any', '', 'pass'],
      ['management-out', 'zone', 'any', 'any', '', 'pass'],
      ['service-internet-only', 'zone', 'internet', 'any', '', 'pass'],
    ]);
    expect(site.internalNetworks).toEqual(['home/wireguard', 'home/management', 'home/service']);
  });

  it('tells the operator about the NAT router port forward', () => {
    expect(site.manualSteps).toEqual([
      expect.stringMatching(/forward UDP 51820 to 192\.168\.0\.2 \(WireGuard instance wg0: WireGuard to the firewall WAN address\)/),
      expect.stringMatching(/forward TCP 80 to 192\.168\.0\.2 \(HAProxy frontend https\)/),
      expect.stringMatching(/forward TCP 443 to 192\.168\.0\.2 \(HAProxy frontend https\)/),
      // DNS-01 through Cloudflare: its API credentials go into the challenge type before anything is issued.
      expect.stringMatching(/^On the firewall, once the configuration is restored and before any certificate is issued: Services › ACME Client › Challenge Types, edit challenge type wildcard_dns01 \(DNS Service CloudFlare\.com, dns_cf;/),
      // gen writes the renewal job the plugin would make only when its settings are applied (fetchCronIntegrationAction).
      expect.stringMatching(/^On the firewall, once the configuration is restored: Services › ACME Client › Certificates: issue each certificate once \(Issue\/Renew\), or wait for .*renewal job/),
    ]);
  });

  it('resolves services, HAProxy and backup', () => {
    expect(site.services.map((s) => [s.name, s.network, s.address, s.port])).toEqual([
      ['traefik', 'home/service', '10.1.0.100', 80],
      ['postgres', 'home/service', '10.1.0.110', 5432],
      ['valkey', 'home/service', '10.1.0.111', 6379],
      ['grafana', 'home/service', '10.1.0.120', 3000],
    ]);
    expect(site.haproxy.backends[0]!.servers).toEqual([expect.objectContaining({ name: 'traefik', address: '10.1.0.100', port: 80 })]);
    expect(site.backup).toMatchObject({ datastore: 'vm-backup-s3', s3Remote: 'aws-s3-storage', endpoint: 's3.ap-northeast-2.amazonaws.com', iamUser: 'proxmox-backup-user', pveStorage: 'pbs-main' });
  });

  it('a peer with a disabled flag stays in the model, marked', () => {
    expect(site.wireguard[0]!.peers.map((p) => [p.name, p.enabled])).toEqual([
      ['mac-workstation', true],
      ['laptop-john', true],
      ['iphone-john', false],
    ]);
  });
});

describe('scenario B (VLAN hosting)', async () => {
  const model = await modelOf(readExample('vlan-hosting'));
  const site = model.sites[0]!;

  it('derives VLAN devices on the LAN parent and DHCP ranges', () => {
    const vlans = site.firewall!.interfaces.filter((i) => i.vlan).map((i) => [i.name, i.key, i.device, i.vlan!.parentDevice, i.vlan!.tag, i.address]);
    expect(vlans).toEqual([
      ['mgmt', 'opt1', 'vlan0.10', 'vtnet1', 10, '192.168.10.1'],
      ['websvc', 'opt2', 'vlan0.20', 'vtnet1', 20, '192.168.20.1'],
      ['vpssvc', 'opt3', 'vlan0.30', 'vtnet1', 30, '192.168.30.1'],
    ]);
    const dhcp = site.firewall!.interfaces.filter((i) => i.dhcp).map((i) => [i.name, i.dhcp!.from, i.dhcp!.to]);
    expect(dhcp).toEqual([
      ['lan', '192.168.1.128', '192.168.1.254'],
      ['mgmt', '192.168.10.128', '192.168.10.254'],
      ['websvc', '192.168.20.128', '192.168.20.254'],
      ['vpssvc', '192.168.30.100', '192.168.30.199'],
    ]);
    expect(site.firewall!.dhcpServer).toBe('dnsmasq');
  });

  it('derives the bridge VLANs the firewall needs', () => {
    const vmbr2 = site.hosts[0]!.bridges.find((b) => b.name === 'vmbr2')!;
    expect([vmbr2.vlanAware, vmbr2.vids, vmbr2.requiredVlans, vmbr2.vidsExplicit]).toEqual([true, ['10', '20', '30'], [10, 20, 30], false]);
    expect(site.hosts[0]!.routes).toEqual([]);
  });

  it('targets OPNsense 26.7 unless the topology names another release, and knows its series', async () => {
    expect(site.firewall).toMatchObject({ release: '26.7', series: '26.7', dhcpServer: 'dnsmasq' });
    const point = await modelOf(readExample('vlan-hosting').replace('release: "26.7"', 'release: "26.1.6"'));
    expect(point.sites[0]!.firewall).toMatchObject({ release: '26.1.6', series: '26.1' });
    const unset = await modelOf(readExample('vlan-hosting').replace(/ *release: "26\.7"\n/, ''));
    expect(unset.sites[0]!.firewall!.release).toBe('26.7');
  });

  it('refuses a release gen does not know, naming the ones it knows', async () => {
    for (const release of ['24.7', '26.4', '26.7.3', '25.1']) {
      const finding = (await lint(readExample('vlan-hosting').replace('release: "26.7"', `release: "${release}"`))).find((d) => d.rule === 'firewall/release');
      expect(finding, release).toMatchObject({ severity: 'error', message: `gen does not know OPNsense ${release}; known releases: 25.7 (25.7.0-25.7.11), 26.1 (26.1.0-26.1.11), 26.7 (26.7.0-26.7.2)` });
      expect(finding!.location.line, release).toBe(lineOfText(readExample('vlan-hosting'), 'release:'));
    }
  });
});

describe('scenario C (AWS VPC)', async () => {
  const model = await modelOf(readExample('aws-vpc'));
  const vpc = model.aws!.vpc!;

  it('derives tiers across AZs and route tables', () => {
    expect(vpc.tiers).toEqual([
      { name: 'public', public: true, azs: ['ap-northeast-2a', 'ap-northeast-2c'], subnets: ['public-2a', 'public-2c'] },
      { name: 'private', public: false, azs: ['ap-northeast-2a', 'ap-northeast-2c'], subnets: ['private-2a', 'private-2c'] },
    ]);
    expect(vpc.routeTables).toEqual([
      { tier: 'public', egress: 'internet-gateway', routes: [{ destination: '0.0.0.0/0', target: 'internet-gateway' }], subnets: ['public-2a', 'public-2c'], propagateVpn: false },
      { tier: 'private', egress: 'none', routes: [], subnets: ['private-2a', 'private-2c'], propagateVpn: false },
    ]);
  });

  it('resolves security group references', () => {
    const api = vpc.securityGroups.find((g) => g.name === 'api')!;
    expect(api.ingress.map((r) => [r.proto, r.ports, r.cidr, r.group])).toEqual([
      ['tcp', [{ from: 80, to: 80 }, { from: 443, to: 443 }], '0.0.0.0/0', undefined],
      ['tcp', [{ from: 22, to: 22 }], undefined, 'bastion'],
    ]);
    expect(api.defaultEgress).toBe(true);
  });
});

describe('a site joined to the VPC by a site-to-site VPN', async () => {
  let text = `${readExample('homelab')}`;
  text = edit(text, ['aws', 'vpc'], {
    name: 'main',
    cidr: '10.30.0.0/16',
    subnets: [
      { name: 'private-2a', az: 'ap-northeast-2a', cidr: '10.30.101.0/24', tier: 'private' },
      { name: 'private-2c', az: 'ap-northeast-2c', cidr: '10.30.102.0/24', tier: 'private' },
    ],
    site_to_site: { site: 'home', customer_gateway_ip: '203.0.113.7' },
  });
  const model = await modelOf(text);

  it('the Proxmox host gets a return route to the VPC through the firewall', () => {
    expect(model.sites[0]!.hosts[0]!.routes.map((r) => [r.destination, r.via, r.bridge])).toEqual([
      ['10.0.1.0/24', '10.0.0.1', 'vmbr1'],
      ['10.1.0.0/24', '10.0.0.1', 'vmbr1'],
      ['10.30.0.0/16', '10.0.0.1', 'vmbr1'],
    ]);
  });

  it('the VPC learns the on-prem networks and propagates VPN routes', () => {
    const vpc = model.aws!.vpc!;
    expect(vpc.siteToSite).toMatchObject({ site: 'home', customerGatewayIp: '203.0.113.7', bgpAsn: 65000, onPremNetworks: ['10.0.0.0/24', '10.0.1.0/24', '10.1.0.0/24'] });
    expect(vpc.routeTables.every((t) => t.propagateVpn)).toBe(true);
  });

  it('without the firewall public address the VPN is a located error', async () => {
    const { lint } = await import('../helpers.js');
    const diagnostics = await lint(text.replace('customer_gateway_ip: 203.0.113.7', 'bgp_asn: 65010'));
    expect(diagnostics.map((d) => [d.rule, d.location.line])).toEqual([['aws/customer-gateway', text.split('\n').findIndex((l) => l.includes('site_to_site:')) + 1]]);
  });

  it('the VPC counts as internal for an internet-only zone', () => {
    expect(model.sites[0]!.internalNetworks).toContain('aws/main');
  });
});

describe('lan_endpoint', () => {
  it('true is the firewall WAN address, written once on the interface', async () => {
    const model = await modelOf(readExample('homelab'));
    expect(readExample('homelab')).toContain('lan_endpoint: true');
    expect(model.sites[0]!.wireguard[0]!.lanEndpoint).toBe('192.168.0.2');
  });

  it('an explicit address is kept; true without a static WAN is a located error', async () => {
    const explicit = await modelOf(readExample('homelab').replace('lan_endpoint: true', 'lan_endpoint: 10.0.0.1'));
    expect(explicit.sites[0]!.wireguard[0]!.lanEndpoint).toBe('10.0.0.1');
    const { lint } = await import('../helpers.js');
    const text = readExample('homelab').replace('address: 192.168.0.2/24\n          gateway: 192.168.0.1', 'address: dhcp');
    const hits = (await lint(text)).filter((d) => d.message.includes('lan_endpoint'));
    expect(hits.map((d) => [d.rule, d.location.line])).toEqual([['ref/unknown', text.split('\n').findIndex((l) => l.includes('lan_endpoint: true')) + 1]]);
  });
});

describe('the paths of many rules and peers', () => {
  // Array.prototype.concat took a third of resolving 200,000 rules: three paths per rule (its own, its from, its to).
  const objects = { lookup: (): PolicyObject | undefined => undefined, has: () => false };

  it('of rules: one per rule, made without concat (the path of a name only for a lookup)', () => {
    const rules = Array.from({ length: 2000 }, (_, i) => ({ name: `r${i}`, from: 'lan', to: i % 2 ? 'lan' : 'any', action: 'pass' as const }));
    const ctx = new ResolveContext(() => {});
    const { result, calls } = countArrayCalls(['concat'], () =>
      resolvePolicy({ zones: [{ name: 'lan', members: [] }], rules }, 'home', ['sites', 0, 'policy'], ctx, objects, { internal: [], upstreamLan: [] }),
    );
    expect(result.rules.map((r) => r.path)).toEqual(rules.map((_, i) => ['sites', 0, 'policy', 'rules', i]));
    expect(calls).toBeLessThan(20);
  });

  it("of rules: a zone's, an object's and a target's ends, and a single port's list, made once for all the rules that name them", () => {
    const lan: PolicyObject = { kind: 'network', name: 'lan', cidrs: ['10.0.0.0/24'], ranges: [[0x0a000000, 0x0a0000ff]], network: 'home/lan' };
    const nas: PolicyObject = { kind: 'address', name: '10.0.0.5', cidrs: ['10.0.0.5/32'], ranges: [[0x0a000005, 0x0a000005]] };
    const named = { lookup: (name: string) => (name === 'lan' ? lan : name === '10.0.0.5' ? nas : undefined), has: () => true };
    const targets = ['lan', '10.0.0.5', 'any', 'self'];
    const rules = Array.from({ length: 20_000 }, (_, i) => ({ name: `r${i}`, from: i % 3 ? 'lan' : '10.0.0.5', to: targets[i % 4]!, proto: 'tcp' as const, ports: [i % 5 ? 22 : '8000-8010'], action: 'pass' as const }));
    const result = resolvePolicy({ zones: [{ name: 'lan', members: ['lan'] }], rules }, 'home', ['sites', 0, 'policy'], new ResolveContext(() => {}), named, { internal: [], upstreamLan: [] });
    // What each rule says is unchanged; the objects that say it are as many as the distinct things named.
    expect(result.rules.map((r) => [r.from, r.to, r.ports])).toEqual(
      rules.map((r) => [
        r.from === 'lan' ? { kind: 'zone', zone: 'lan' } : { kind: 'object', name: '10.0.0.5' },
        r.to === 'lan' ? { kind: 'zone', zone: 'lan' } : r.to === '10.0.0.5' ? { kind: 'object', name: '10.0.0.5' } : { kind: r.to },
        [String(r.ports[0])],
      ]),
    );
    expect(new Set(result.rules.flatMap((r) => [r.from, r.to])).size).toBe(4);
    expect(new Set(result.rules.map((r) => r.ports)).size).toBe(2);
  });

  it('of peers: one per peer, made without concat', () => {
    const peers = Array.from({ length: 2000 }, (_, i) => ({ name: `p${i}`, role: 'users', address: `10.8.${(i + 2) >> 8}.${(i + 2) & 255}` }));
    const ctx = new ResolveContext(() => {});
    const input = { name: 'wg0', address: '10.8.0.1/16', roles: [{ name: 'users', from: '10.8.0.2', to: '10.8.255.254' }], peers };
    // Each lookup of a peer's role makes the path it would report at: only a role that does not exist needs one.
    let lookups = 0;
    const lookup = ctx.lookup.bind(ctx);
    ctx.lookup = ((index, name, what, path) => {
      lookups++;
      return lookup(index, name, what, path);
    }) as typeof ctx.lookup;
    const { result, calls } = countArrayCalls(['concat'], () => resolveWireguardInstance(input, 'home', ['sites', 0, 'wireguard', 0], ctx, undefined));
    expect(lookups).toBe(0);
    expect(result!.peers.map((p) => p.path)).toEqual(peers.map((_, i) => ['sites', 0, 'wireguard', 0, 'peers', i]));
    expect(ctx.addresses.filter((a) => a.owner.startsWith('peer ')).map((a) => a.path)).toEqual(peers.map((_, i) => ['sites', 0, 'wireguard', 0, 'peers', i, 'address']));
    expect(calls).toBeLessThan(20);
  });
});
