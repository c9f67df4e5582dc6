// Policy objects: zones and rules name networks, addresses and CIDRs,
// WireGuard peers and roles, services, remote networks and VPC subnets;
// each compiles to OPNsense rules on the interface its traffic arrives on,
// naming it by an alias listed in aliases.xml, and policy tests accept any
// object on both sides.
import { describe, expect, it } from 'vitest';
import { evaluateFirewallFlow } from '../../src/flows.js';
import type { Finding } from '../../src/findings.js';
import type { FlowTest, Peer, WireguardInstance } from '../../src/model.js';
import { ResolveContext } from '../../src/resolve/context.js';
import { policyObjects } from '../../src/resolve/objects.js';
import { aliasName, ALIAS_NAME } from '../../src/targets/opnsense/aliases.js';
import { edit, lint, modelOf } from '../helpers.js';
import { objectsTopology } from './objects-topology.js';
import { type Xml, doc, fragments, policyRules, text } from '../opnsense/support.js';

const A = ['sites', 0] as const;

describe('policy objects in zones and rules', async () => {
  const yaml = objectsTopology();
  const model = await modelOf(yaml);
  const site = model.sites[0]!;

  it('resolve to the addresses they stand for', () => {
    const family = site.policy.zones.find((z) => z.name === 'family')!;
    expect(family.members.map((m) => [m.kind, m.name, m.cidrs])).toEqual([
      // The role's range 10.0.1.11-10.0.1.50 as its fewest CIDR blocks.
      ['role', 'wg0/mobile', ['10.0.1.11/32', '10.0.1.12/30', '10.0.1.16/28', '10.0.1.32/28', '10.0.1.48/31', '10.0.1.50/32']],
      ['peer', 'parents-nas', ['10.0.1.51/32']],
    ]);
    const rule = (name: string) => site.policy.rules.find((r) => r.name === name)!;
    expect(rule('office-to-traefik').sources.map((o) => [o.kind, o.cidrs, o.network])).toEqual([['network', ['172.16.0.0/16'], 'home/office']]);
    expect(rule('jump-host').sources.map((o) => [o.kind, o.cidrs, o.network])).toEqual([['address', ['10.0.0.50/32'], 'home/management']]);
    expect(rule('outside-admin').sources.map((o) => [o.kind, o.network])).toEqual([['address', undefined]]);
  });

  it('a rule to one service takes its protocol and port unless it gives its own', () => {
    const rule = (name: string) => site.policy.rules.find((r) => r.name === name)!;
    expect([rule('nas-backup').proto, rule('nas-backup').ports]).toEqual(['tcp', ['5432']]);
    expect([rule('family-dashboards').proto, rule('family-dashboards').ports]).toEqual(['tcp', ['3000', '8000-8010']]);
  });

  it('the policy tests hold, with objects on both sides, and the lint is clean', async () => {
    expect(await lint(yaml)).toEqual([]);
    expect(site.policy.tests).toHaveLength(10);
  });

  it('compile to rules on the interface the traffic arrives on, naming each object by its alias', async () => {
    const files = await fragments(yaml, 'home');
    const rules: Xml[] = policyRules(files);
    const of = (name: string) =>
      rules
        .filter((r) => text(r.descr).startsWith(`gen: policy rule ${name}`))
        .map((r) => [r.type, r.interface, r.protocol ?? 'any', r.source.network ?? r.source.address ?? 'any', r.destination.network ?? r.destination.address ?? 'any', r.destination.port ?? '']);
    expect(of('admins-to-management')).toEqual([['pass', 'wireguard', 'any', 'gen_role_wg0_workstation', 'lan', '']]);
    expect(of('nas-backup')).toEqual([['pass', 'wireguard', 'tcp', 'gen_peer_parents_nas', 'gen_svc_postgres', '5432']]);
    expect(of('family-dashboards')).toEqual([
      ['pass', 'wireguard', 'tcp', 'gen_role_wg0_mobile', 'gen_svc_grafana', '3000'],
      ['pass', 'wireguard', 'tcp', 'gen_role_wg0_mobile', 'gen_svc_grafana', '8000-8010'],
      ['pass', 'wireguard', 'tcp', 'gen_peer_parents_nas', 'gen_svc_grafana', '3000'],
      ['pass', 'wireguard', 'tcp', 'gen_peer_parents_nas', 'gen_svc_grafana', '8000-8010'],
    ]);
    // A remote network comes through WireGuard; an address as written, on the interface of its network.
    expect(of('office-to-traefik')).toEqual([['pass', 'wireguard', 'tcp', 'gen_net_office', '10.1.0.100', '80']]);
    expect(of('jump-host')).toEqual([['pass', 'lan', 'tcp', '10.0.0.50', 'opt1', '22']]);
    // An address in no internal network arrives on the WAN.
    expect(of('outside-admin')).toEqual([['pass', 'wan', 'tcp', '203.0.113.10', '(self)', '22']]);
    // A CIDR holding networks: each on its own interface, named as that network; its
    // addresses in no internal network (10.2.0.0 …) can only come from the WAN.
    expect(of('ping-office')).toEqual([
      ['pass', 'wireguard', 'icmp', 'gen_net_wireguard', 'gen_net_office', ''],
      ['pass', 'lan', 'icmp', 'lan', 'gen_net_office', ''],
      ['pass', 'opt1', 'icmp', 'opt1', 'gen_net_office', ''],
      ['pass', 'wan', 'icmp', '10.0.0.0/8', 'gen_net_office', ''],
    ]);
  });

  it('lists every alias in aliases.xml, host or network, named after its object', async () => {
    const aliases: Xml[] = doc(await fragments(yaml, 'home'), 'aliases.xml').OPNsense.Firewall.Alias.aliases.alias;
    const table = aliases.map((a) => [a.name, a.type, String(a.content).split('\n'), text(a.description)]);
    expect(table).toEqual([
      ['gen_role_wg0_workstation', 'network', ['10.0.1.2/31', '10.0.1.4/30', '10.0.1.8/31', '10.0.1.10/32'], 'gen: WireGuard role wg0/workstation'],
      ['gen_svc_postgres', 'host', ['10.1.0.110'], 'gen: service postgres'],
      ['gen_peer_parents_nas', 'host', ['10.0.1.51'], 'gen: WireGuard peer parents-nas of wg0'],
      ['gen_svc_grafana', 'host', ['10.1.0.120'], 'gen: service grafana'],
      ['gen_role_wg0_mobile', 'network', ['10.0.1.11/32', '10.0.1.12/30', '10.0.1.16/28', '10.0.1.32/28', '10.0.1.48/31', '10.0.1.50/32'], 'gen: WireGuard role wg0/mobile'],
      ['gen_net_office', 'network', ['172.16.0.0/16'], 'gen: network office'],
      ['gen_net_wireguard', 'network', ['10.0.1.0/24'], 'gen: network wireguard'],
      // The WAN's private network, the upstream router's LAN, is not the internet either.
      ['gen_internal_networks', 'network', ['10.0.0.0/24', '10.0.1.0/24', '10.1.0.0/24', '172.16.0.0/16', '192.168.0.0/24'], 'gen: internal networks of site home and the upstream LAN'],
    ]);
    for (const alias of aliases) expect(alias.name).toMatch(ALIAS_NAME);
  });

  it('every peer gets exactly what the policy lets its own address reach', () => {
    const peers = new Map(site.wireguard[0]!.peers.map((p) => [p.name, p.allowedIps]));
    // Every tunnel address is in 10.0.0.0/8, so every peer may ping the office.
    // Workstations (admins): management. Both peers of the role alike.
    expect(peers.get('mac-workstation')).toEqual(['10.0.0.0/24', '172.16.0.0/16']);
    expect(peers.get('laptop-john')).toEqual(['10.0.0.0/24', '172.16.0.0/16']);
    // The NAS: postgres (its own rule) and grafana (its zone), nothing else.
    expect(peers.get('parents-nas')).toEqual(['10.1.0.110/32', '10.1.0.120/32', '172.16.0.0/16']);
    // A mobile: grafana through the family zone.
    expect(peers.get('iphone-john')).toEqual(['10.1.0.120/32', '172.16.0.0/16']);
  });

  it('tests report the rule that decided, per part of a flow the rules treat differently', () => {
    const flow = (from: string, to: string, port: number): FlowTest => ({ name: 'f', from, to, proto: 'tcp', port, expect: 'accept', path: [] });
    const zone = (name: string) => site.policy.zones.find((z) => z.name === name)!.members;
    const family = { ...flow('family', 'postgres', 5432), fromObjects: zone('family'), toObjects: [...site.policy.rules.find((r) => r.name === 'nas-backup')!.destinations] };
    expect(evaluateFirewallFlow(site, family)).toEqual([
      { verdict: 'deny', decidedBy: 'the default deny', part: '10.0.1.11/32, 10.0.1.12/30, 10.0.1.16/28, … (6 blocks) → 10.1.0.110/32' },
      { verdict: 'accept', decidedBy: 'policy rule nas-backup', path: ['sites', 0, 'policy', 'rules', 1], part: '10.0.1.51/32 → 10.1.0.110/32' },
    ]);
  });
});

describe('names that are not one object', () => {
  it('a name two kinds of object share is an error where it is used', async () => {
    let yaml = objectsTopology();
    yaml = edit(yaml, [...A, 'services', 4], { name: 'parents-nas', address: '10.1.0.130', port: 445 });
    const found = (await lint(yaml)).filter((d) => d.rule === 'policy/ambiguous-object');
    // The zone member, the rule's source and three tests: each use is reported at its own line.
    expect(found).toHaveLength(5);
    expect(new Set(found.map((d) => d.location.line)).size).toBe(5);
    for (const d of found) {
      expect(d.message).toBe('"parents-nas" names service parents-nas (10.1.0.130) and peer parents-nas of wg0 (10.0.1.51)');
      expect(d.severity).toBe('error');
    }
  });

  it('an unknown name lists ten of the names that exist, and how many more: a list of all made the report as long as the topology', async () => {
    const roles = Array.from({ length: 30 }, (_, i) => ({ name: `r${i}`, from: `10.0.1.${100 + 2 * i}`, to: `10.0.1.${101 + 2 * i}` }));
    let yaml = edit(objectsTopology(), [...A, 'wireguard', 0, 'roles'], roles);
    yaml = edit(yaml, [...A, 'wireguard', 0, 'peers'], [{ name: 'p', role: 'nosuch', address: '10.0.1.100' }]);
    const found = (await lint(yaml)).filter((d) => d.rule === 'ref/unknown');
    expect(found.map((d) => d.message)).toContain(`role "nosuch" does not exist (known: ${roles.slice(0, 10).map((r) => r.name).join(', ')} and 20 more)`);
  });

  it('an unknown role names the roles that exist', async () => {
    const yaml = edit(objectsTopology(), [...A, 'policy', 'zones', 3, 'members', 0], 'wg0/mobiles');
    const found = (await lint(yaml)).filter((d) => d.rule === 'ref/unknown');
    expect(found[0]?.message).toBe('role "wg0/mobiles" does not exist (known: wg0/workstation, wg0/mobile, wg0/server, wg0/reserved)');
  });
});

describe('alias names', () => {
  it('keep letters, digits and "_", at most 31 characters, with a hash when shortened or shared', () => {
    expect(aliasName('peer', 'parents-nas')).toBe('gen_peer_parents_nas');
    expect(aliasName('role', 'wg0/family')).toBe('gen_role_wg0_family');
    const long = aliasName('service', 'a-very-long-service-name-for-a-dashboard');
    expect(long).toMatch(ALIAS_NAME);
    expect(long.length).toBe(31);
    expect(long).not.toBe(aliasName('service', 'a-very-long-service-name-for-a-dashboard2'));
    expect(aliasName('peer', 'a.b', 1)).not.toBe(aliasName('peer', 'a-b', 1));
    // Later attempts hash again; the first one keeps the hash gen always gave.
    expect(aliasName('service', 'a-very-long-service-name-for-a-dashboard', 1)).toBe(long);
    expect(new Set([1, 2, 3].map((n) => aliasName('service', 'a-very-long-service-name-for-a-dashboard', n))).size).toBe(3);
  });

  it('stay one per object when two long names share the hash of their shortened alias', async () => {
    // These two reduce to gen_peer_laptop_of_emplo_6e66d5 (six hex digits of
    // sha256): they once shared that alias, which held the second peer's
    // address only, so the first peer's rule applied to the second peer.
    const [a, b] = ['laptop-of-employee-number-001224', 'laptop-of-employee-number-006610'];
    expect(aliasName('peer', a)).toBe(aliasName('peer', b));
    let yaml = edit(objectsTopology(), [...A, 'wireguard', 0, 'peers'], [
      { name: a, tunnel_name: 'a', role: 'workstation', address: '10.0.1.3' },
      { name: b, tunnel_name: 'b', role: 'workstation', address: '10.0.1.4' },
      { name: 'parents-nas', role: 'server', address: '10.0.1.51' },
    ]);
    yaml = edit(yaml, [...A, 'policy', 'rules'], [
      { name: 'a-to-postgres', from: a, to: 'postgres', action: 'pass' },
      { name: 'b-to-grafana', from: b, to: 'grafana', proto: 'tcp', ports: [3000], action: 'pass' },
      // The containers' DNS servers (proxmox/guest-dns-blocked).
      { name: 'service-dns', from: 'service', to: 'any', proto: 'udp', ports: [53], action: 'pass' },
      // The backup server's HTTPS to S3 (backup/path-blocked).
      { name: 'backup-s3', from: '10.0.0.20', to: 'internet', proto: 'tcp', ports: [443], action: 'pass' },
    ]);
    yaml = edit(yaml, [...A, 'policy', 'tests'], []);
    // These two rules pass nobody to the firewall: with the anti-lockout rule off that would lock the admins out.
    yaml = edit(yaml, [...A, 'firewall', 'anti_lockout'], undefined);
    expect((await lint(yaml)).filter((d) => d.severity === 'error')).toEqual([]);
    const files = await fragments(yaml, 'home');
    const aliases: Xml[] = doc(files, 'aliases.xml').OPNsense.Firewall.Alias.aliases.alias;
    const contentOf = new Map(aliases.map((x) => [x.name, String(x.content)]));
    const sourceOf = (rule: string) => policyRules(files).filter((r) => text(r.descr).startsWith(`gen: policy rule ${rule}`)).map((r) => r.source.network ?? r.source.address);
    const [fromA, fromB] = [sourceOf('a-to-postgres'), sourceOf('b-to-grafana')];
    expect(fromA).toHaveLength(1);
    expect(fromB).toHaveLength(1);
    expect(fromA[0]).not.toBe(fromB[0]);
    expect([contentOf.get(fromA[0]), contentOf.get(fromB[0])]).toEqual(['10.0.1.3', '10.0.1.4']);
    for (const name of [fromA[0], fromB[0]]) expect(name).toMatch(ALIAS_NAME);
  });
});

describe('a policy test covers every address it names', () => {
  it('"internet" includes an outside address some rule lets in: the failure names that part', async () => {
    const yaml = edit(objectsTopology(), [...A, 'policy', 'tests', 10], { from: 'internet', to: 'wan', proto: 'tcp', port: 22, expect: 'deny' });
    expect((await lint(yaml)).map((d) => [d.rule, d.message])).toEqual([
      ['policy/test-failed', 'flow internet to wan tcp 22: expected deny, got accept by policy rule outside-admin (for 203.0.113.10/32 → 192.168.0.2/32)'],
    ]);
  });
});

describe('the index of the names a policy can use', () => {
  it('describes and makes a peer only when a name is used: the work of indexing 100,000 peers is one read of each peer', () => {
    // Reads of the instance's name and of each peer's address, by getters: a description made for every peer reads both.
    let instanceReads = 0;
    let addressReads = 0;
    const peers = Array.from({ length: 100_000 }, (_, i) => {
      const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      return Object.defineProperty({ name: `peer-${i}` } as unknown as Peer, 'address', {
        get: () => {
          addressReads++;
          return address;
        },
      });
    });
    const instance = Object.defineProperties({ network: 'home/wg', peers, roles: [] } as unknown as WireguardInstance, {
      name: {
        get: () => {
          instanceReads++;
          return 'wg0';
        },
      },
    });
    const findings: Finding[] = [];
    const objects = policyObjects(new ResolveContext((f) => findings.push(f)), [], [], [instance]);
    expect([instanceReads, addressReads]).toEqual([0, peers.length]);
    // Used, a peer is the object it stands for; a name two peers share is still reported with both described.
    expect(objects.lookup('peer-70000', [])).toEqual({ kind: 'peer', name: 'peer-70000', cidrs: ['10.1.17.112/32'], ranges: [[0x0a011170, 0x0a011170]], network: 'home/wg', instance: 'wg0' });
    const twin = Object.assign({}, peers[1]!, { address: '10.9.9.9' });
    const twice = policyObjects(new ResolveContext((f) => findings.push(f)), [], [], [Object.assign({}, instance, { name: 'wg1', peers: [peers[1]!, twin] })]);
    expect(twice.lookup('peer-1', ['x'])).toBeUndefined();
    expect(findings.map((f) => f.message)).toEqual(['"peer-1" names peer peer-1 of wg1 (10.0.0.1) and peer peer-1 of wg1 (10.9.9.9)']);
  });
});
