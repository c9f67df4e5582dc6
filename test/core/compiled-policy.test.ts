// The policy tests hold on the compiled OPNsense filter rules too: a small
// pf-style evaluator (port forwards translate first, as pf's rdr does; then
// the rules of the arriving interface and its groups, first quick match wins,
// default deny) reads nat.xml, filter.xml, aliases.xml and interfaces.xml as
// generated, and must reach each flow's expected verdict.
import { XMLParser } from 'fast-xml-parser';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { FlowTest, Site } from '../../src/model.js';
import { blockOf, contains, formatIPv4, parseCidr, parseIPv4 } from '../../src/net.js';
import { edit, modelOf, readExample } from '../helpers.js';
import { objectsTopology } from './objects-topology.js';
import { renderAll } from '../../src/render/index.js';
import { policyRules } from '../opnsense/support.js';

const xml = new XMLParser({ ignoreAttributes: true, isArray: (name) => ['rule', 'alias'].includes(name), parseTagValue: false });

interface Compiled {
  rules: Record<string, unknown>[];
  forwards: Record<string, unknown>[];
  aliases: Map<string, string[]>;
  interfaces: Map<string, { device: string; address?: string; prefix?: number }>;
}

function compiled(files: Map<string, string>, site: string): Compiled {
  const aliasDoc = files.get(`${site}/opnsense/aliases.xml`);
  const aliases = new Map<string, string[]>();
  for (const a of aliasDoc ? (xml.parse(aliasDoc).opnsense.OPNsense.Firewall.Alias.aliases.alias as Record<string, string>[]) : []) {
    aliases.set(a.name!, String(a.content).split('\n'));
  }
  const interfaces = new Map<string, { device: string; address?: string; prefix?: number }>();
  for (const [key, value] of Object.entries(xml.parse(files.get(`${site}/opnsense/interfaces.xml`)!).opnsense.interfaces as Record<string, Record<string, string>>)) {
    const address = value.ipaddr === 'dhcp' ? LEASED_WAN : value.ipaddr;
    interfaces.set(key, { device: value.if!, address, prefix: value.subnet ? Number(value.subnet) : value.ipaddr === 'dhcp' ? 32 : undefined });
  }
  const prefix = `${site}/opnsense/`;
  const fragments = new Map([...files].filter(([path]) => path.startsWith(prefix)).map(([path, text]) => [path.slice(prefix.length), text]));
  const nat = files.get(`${site}/opnsense/nat.xml`);
  // Legacy NAT rules (25.7) and Destination NAT rules (26.1 on) name the same fields the evaluator reads.
  const forwards = nat ? ((xml.parse(nat).opnsense.nat.rule ?? []) as Record<string, unknown>[]) : [];
  return { rules: policyRules(fragments, interfaces.keys()) as Record<string, unknown>[], forwards, aliases, interfaces };
}

function inBlock(address: number, cidr: string): boolean {
  const parsed = parseCidr(cidr.includes('/') ? cidr : `${cidr}/32`);
  return parsed.ok && contains(parsed.block, address);
}

/** Does an OPNsense <source>/<destination> match the address? */
function endpointMatches(spec: Record<string, unknown>, address: number, c: Compiled): boolean {
  let match: boolean;
  if ('any' in spec) match = true;
  else if (typeof spec.address === 'string') {
    const list = c.aliases.get(spec.address) ?? [spec.address];
    match = list.some((cidr) => inBlock(address, cidr));
  } else if (spec.network === '(self)') {
    match = [...c.interfaces.values()].some((i) => i.address !== undefined && parseIPv4(i.address) === address);
  } else if (typeof spec.network === 'string') {
    const name = spec.network;
    const ifaceIp = name.endsWith('ip') ? c.interfaces.get(name.slice(0, -2)) : undefined;
    if (ifaceIp?.address) match = parseIPv4(ifaceIp.address) === address;
    else {
      const iface = c.interfaces.get(name);
      match = !!iface?.address && contains(blockOf(parseIPv4(iface.address)!, iface.prefix!), address);
    }
  } else throw new Error(`unknown endpoint ${JSON.stringify(spec)}`);
  // A legacy rule negates with a <not> element, a Destination NAT rule with <not>1 (it always writes <not>0).
  return 'not' in spec && String(spec.not) !== '0' ? !match : match;
}

function portMatches(spec: Record<string, unknown>, port: number | undefined): boolean {
  if (spec.port === undefined) return true;
  if (port === undefined) return false;
  const [from, to = from] = String(spec.port).split(/[-:]/).map(Number);
  return port >= from! && port <= to!;
}

interface Packet {
  iface: string;
  src: number;
  dst: number;
  proto: FlowTest['proto'];
  port?: number;
}

/**
 * pf's rdr, as OPNsense compiles a port forward (ForwardRule): a packet to the
 * forward's destination and port goes to the target, a port range mapped
 * onto the target from local-port ("t" becomes "t:t+to-from").
 */
function translate(c: Compiled, p: Packet): Packet {
  for (const forward of c.forwards) {
    if (forward.interface !== p.iface) continue;
    const proto = String(forward.protocol);
    if (!(proto === 'tcp/udp' ? ['tcp', 'udp'].includes(p.proto) : proto === p.proto)) continue;
    const destination = forward.destination as Record<string, unknown>;
    if (!endpointMatches(destination, p.dst, c) || !portMatches(destination, p.port)) continue;
    const [from] = String(destination.port).split(/[-:]/).map(Number);
    return { ...p, dst: parseIPv4(String(forward.target))!, port: Number(forward['local-port']) + (p.port! - from!) };
  }
  return p;
}

function evaluate(c: Compiled, groups: Map<string, string[]>, arriving: Packet): 'accept' | 'deny' {
  const p = translate(c, arriving);
  for (const rule of c.rules) {
    const on = String(rule.interface).split(',');
    if (!on.some((i) => i === p.iface || groups.get(i)?.includes(p.iface))) continue;
    const proto = rule.protocol === undefined ? 'any' : String(rule.protocol).toLowerCase();
    if (proto !== 'any' && !(proto === 'tcp/udp' ? ['tcp', 'udp'].includes(p.proto) : proto === p.proto)) continue;
    if (!endpointMatches(rule.source as Record<string, unknown>, p.src, c)) continue;
    const destination = rule.destination as Record<string, unknown>;
    if (!endpointMatches(destination, p.dst, c) || !portMatches(destination, p.port)) continue;
    return rule.type === 'pass' ? 'accept' : 'deny';
  }
  return 'deny';
}

const INTERNET_SOURCE = parseIPv4('198.51.100.99')!;
// What a DHCP WAN would lease, for evaluating wanip.
const LEASED_WAN = '100.64.0.10';
const INTERNET_TARGET = parseIPv4('203.0.113.50')!;

/** Addresses to try from a set: the ends of each range and one address inside. */
function samples(ranges: readonly (readonly [number, number])[]): number[] {
  return [...new Set(ranges.flatMap(([lo, hi]) => [lo, Math.min(hi, lo + 7), hi]))];
}

/** The interface key a packet from `address` arrives on: the smallest network of the site holding it, else the WAN. */
function arrival(site: Site, address: number): string {
  const holders = site.networks.filter((n) => n.kind !== 'wan' && contains(n.block, address)).sort((a, b) => b.block.prefix - a.block.prefix);
  const network = holders[0];
  const wan = site.firewall!.interfaces.find((i) => i.isWan)!;
  if (!network) return wan.key;
  // The tunnel and the networks behind it (remote) come in through WireGuard.
  const wireguard = site.firewall!.interfaces.find((i) => i.kind === 'wireguard');
  if (network.kind === 'vpn' || network.kind === 'remote') return wireguard!.key;
  return site.firewall!.interfaces.find((i) => i.network === network.id)!.key;
}

function objectsOf(site: Site, test: FlowTest, side: 'from' | 'to'): number[] {
  const objects = (side === 'from' ? test.fromObjects : test.toObjects) ?? site.policy.zones.find((z) => z.name === test[side])!.members;
  return samples(objects.flatMap((o) => o.cidrs.map((c) => parseCidr(c)).flatMap((b) => (b.ok ? [[b.block.base, b.block.base + b.block.size - 1] as [number, number]] : []))));
}

function packets(site: Site, test: FlowTest): Packet[] {
  const wan = site.firewall!.interfaces.find((i) => i.isWan)!;
  const sources = test.from === 'internet' ? [{ address: INTERNET_SOURCE, iface: wan.key }] : objectsOf(site, test, 'from').map((a) => ({ address: a, iface: arrival(site, a) }));
  // "self": the firewall's address on the interface the packet arrives on.
  const selfOn = (key: string) => parseIPv4(site.firewall!.interfaces.find((i) => i.key === key)?.address ?? LEASED_WAN)!;
  const targets = (iface: string) =>
    test.to === 'internet'
      ? [INTERNET_TARGET]
      : test.to === 'wan'
        ? [parseIPv4(wan.address ?? LEASED_WAN)!]
        : test.to === 'self'
          ? [selfOn(iface)]
          : objectsOf(site, test, 'to');
  return sources.flatMap((s) => targets(s.iface).map((dst) => ({ iface: s.iface, src: s.address, dst, proto: test.proto, port: test.port })));
}

/** Scenario A with a port forward of a range to the service traefik, mapped onto another port, and tests of its ports. */
function withForwardedRange(): string {
  let text = edit(readExample('homelab'), ['sites', 0, 'firewall', 'nat', 'port_forwards'], [
    { name: 'game', proto: 'udp', port: '10000-10100', service: 'traefik', target_port: 20000 },
  ]);
  const tests = [
    { from: 'internet', to: 'wan', proto: 'udp', port: 10000, expect: 'accept' },
    { from: 'internet', to: 'wan', proto: 'udp', port: 10050, expect: 'accept' },
    { from: 'internet', to: 'wan', proto: 'udp', port: 10100, expect: 'accept' },
    { from: 'internet', to: 'wan', proto: 'udp', port: 10101, expect: 'deny' },
  ];
  const first = (parse(text) as { sites: { policy: { tests: unknown[] } }[] }).sites[0]!.policy.tests.length;
  tests.forEach((t, i) => (text = edit(text, ['sites', 0, 'policy', 'tests', first + i], t)));
  return text;
}

/**
 * The policy objects topology with a zone of three kinds of member (an
 * interface network, a remote network, a service) as a destination: one
 * rule to the zone's alias, and tests on each member and on a port or a
 * source the rule leaves out.
 */
function withZoneDestination(): string {
  const policy = (parse(objectsTopology()) as { sites: { policy: { zones: unknown[]; rules: unknown[]; tests: unknown[] } }[] }).sites[0]!.policy;
  let text = edit(objectsTopology(), ['sites', 0, 'policy', 'zones'], [...policy.zones, { name: 'inside', members: ['management', 'office', 'grafana'] }]);
  text = edit(text, ['sites', 0, 'policy', 'rules'], [{ name: 'admins-https-inside', from: 'admins', to: 'inside', proto: 'tcp', ports: [443], action: 'pass' }, ...policy.rules]);
  return edit(text, ['sites', 0, 'policy', 'tests'], [
    ...policy.tests,
    { from: 'mac-workstation', to: 'office', proto: 'tcp', port: 443, expect: 'accept' },
    { from: 'mac-workstation', to: 'grafana', proto: 'tcp', port: 443, expect: 'accept' },
    { from: 'mac-workstation', to: 'office', proto: 'tcp', port: 80, expect: 'deny' },
    { from: 'parents-nas', to: 'office', proto: 'tcp', port: 443, expect: 'deny' },
  ]);
}

const topologies = {
  homelab: () => readExample('homelab'),
  'vlan-hosting': () => readExample('vlan-hosting'),
  'homelab-family': () => readExample('homelab-family'),
  'every kind of policy object': objectsTopology,
  'homelab with a forwarded port range': withForwardedRange,
  'a zone of three kinds of member as a destination': withZoneDestination,
};

const cases = (Object.keys(topologies) as (keyof typeof topologies)[]).flatMap((name) => ['25.7', '26.7'].map((release) => ({ name, release })));
const topology = (name: keyof typeof topologies, release: string) => edit(topologies[name](), ['sites', 0, 'firewall', 'release'], release);

describe.each(cases)('compiled filter rules of $name on $release (legacy rules, MVC rules)', ({ name, release }) => {
  it('give every policy test its expected verdict', async () => {
    const model = await modelOf(topology(name, release));
    const files = renderAll(model);
    for (const site of model.sites) {
      const c = compiled(files, site.name);
      // OPNsense puts every WireGuard interface in the "wireguard" group.
      const groups = new Map([['wireguard', site.firewall!.interfaces.filter((i) => i.kind === 'wireguard').map((i) => i.key)]]);
      expect(site.policy.tests.length).toBeGreaterThan(3);
      for (const test of site.policy.tests) {
        for (const packet of packets(site, test)) {
          expect(evaluate(c, groups, packet), `${test.name} (${formatIPv4(packet.src)} → ${formatIPv4(packet.dst)} on ${packet.iface})`).toBe(test.expect);
        }
      }
    }
  });

  it('the evaluator can fail: without the pass rules every accepted flow is denied', async () => {
    const model = await modelOf(topology(name, release));
    const site = model.sites[0]!;
    const c = compiled(renderAll(model), site.name);
    const groups = new Map([['wireguard', site.firewall!.interfaces.filter((i) => i.kind === 'wireguard').map((i) => i.key)]]);
    const blocksOnly = { ...c, rules: c.rules.filter((r) => r.type !== 'pass') };
    const accepted = site.policy.tests.filter((t) => t.expect === 'accept');
    expect(accepted.length).toBeGreaterThan(0);
    for (const test of accepted) {
      for (const packet of packets(site, test)) {
        expect(evaluate(c, groups, packet)).toBe('accept');
        expect(evaluate(blocksOnly, groups, packet)).toBe('deny');
      }
    }
  });
});
