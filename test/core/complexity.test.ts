// Lint work grows linearly with the topology. Each check counts operations,
// not time: the elements that array searches, copies and loops go through
// (find, filter, some, includes, spreads, for-of, …), and the reads of a
// model list. Doubling a topology twice must add about twice as much the
// second time as the first; a search inside a loop over peers, VLANs or
// addresses would add four times as much.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { AddressUse, Model } from '../../src/model.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adoptedUuids } from '../../src/opnsense/identity.js';
import { dropStaleItems } from '../../src/opnsense/dropped.js';
import { firewallDnsRanges } from '../../src/opnsense/dnsmasq-firewall-dns.js';
import { dnsmasqRefusals } from '../../src/opnsense/dnsmasq-refusals.js';
import { sharedMacs } from '../../src/opnsense/dnsmasq-shared-macs.js';
import { mergeConfig } from '../../src/opnsense/merge.js';
import { bindClashes, bindShadows, namedBindClashes, wireguardClashes } from '../../src/opnsense/listeners.js';
import { haproxyBinds } from '../../src/opnsense/haproxy-binds.js';
import { parseXml } from '../../src/opnsense/parse.js';
import { selfSignedCertificate } from '../../src/opnsense/selfsigned.js';
import { PRIVATE_KEY_PLACEHOLDER_PREFIX } from '../../src/render/opnsense/context.js';
import { siteSections } from '../../src/render/opnsense/index.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { releaseFacts } from '../../src/targets/opnsense/releases.js';
import { targets } from '../../src/render/index.js';
import { type XmlElement, attr, child, childrenNamed, element, leaf, textOf } from '../../src/render/opnsense/xml.js';
import { resolve } from '../../src/resolve/index.js';
import { rules } from '../../src/rules/index.js';
import { validateTopology } from '../../src/validate.js';
import { loadTopologyText } from '../../src/load.js';
import { parseWgQuick, valuesOf } from '../../src/wg/wg-quick-file.js';
import { lintText } from '../../src/pipeline.js';
import { root } from '../helpers.js';

const SCANS = ['filter', 'map', 'forEach', 'flatMap', 'reduce', 'slice', 'concat'] as const;
const SEARCHES = ['find', 'findIndex', 'findLast', 'some', 'every'] as const;

/**
 * Runs `action` and counts the array elements it goes through, and the items of the Sets and Maps it builds from a list.
 * A search counts the elements it looked at before it stopped: counting the whole list for each (an upper bound)
 * made the XML parser's check for an element among the children so far, which stops at the second, look like a scan.
 */
function arrayWork<T>(action: () => T): { result: T; work: number } {
  let work = 0;
  const proto = Array.prototype as unknown as Record<string | symbol, (...args: unknown[]) => unknown>;
  const saved = new Map<string | symbol, (...args: unknown[]) => unknown>();
  // The wrappers pass their arguments on by name where the count does not
  // matter: a rest array per call (per element, for a search's callback) was
  // a good part of the file's CPU, in allocation and garbage collection.
  // reduce (with or without an initial value) and concat keep the count.
  for (const name of [...SCANS, Symbol.iterator]) {
    const original = proto[name]!;
    saved.set(name, original);
    proto[name] =
      name === 'reduce' || name === 'concat'
        ? function (this: unknown[], ...args: unknown[]) {
            work += this.length;
            return original.apply(this, args);
          }
        : function (this: unknown[], a?: unknown, b?: unknown) {
            work += this.length;
            return original.call(this, a, b);
          };
  }
  for (const name of SEARCHES) {
    const original = proto[name]!;
    saved.set(name, original);
    proto[name] = function (this: unknown[], test: unknown, thisArg?: unknown) {
      const visit = test as (value: unknown, index: number, array: unknown[]) => unknown;
      return original.call(this, function (this: unknown, value: unknown, index: number, array: unknown[]) {
        work++;
        return visit.call(this, value, index, array);
      }, thisArg);
    };
  }
  const indexOf = proto.indexOf!;
  for (const name of ['includes', 'indexOf'] as const) {
    const original = proto[name]!;
    saved.set(name, original);
    // indexOf's answer is the one it found already; includes asks again (it finds NaN, which indexOf does not).
    proto[name] = function (this: unknown[], value: unknown, from?: unknown) {
      const at = indexOf.call(this, value, from) as number;
      work += at < 0 ? this.length : at + 1;
      return name === 'indexOf' ? at : original.call(this, value, from);
    };
  }
  // A Set or Map built from an iterable goes through all of it (new Set(map.values()) inside a loop is a scan too).
  const collections = { Set: globalThis.Set, Map: globalThis.Map };
  // Each lookup counts one: a search for a free name that tries name_2,
  // name_3, … in a Set is a scan too.
  class CountingSet<T> extends collections.Set<T> {
    constructor(items?: Iterable<T> | null) {
      super(items);
      if (items) work += this.size;
    }
    override has(value: T): boolean {
      work++;
      return super.has(value);
    }
  }
  class CountingMap<K, V> extends collections.Map<K, V> {
    constructor(items?: Iterable<readonly [K, V]> | null) {
      super(items);
      if (items) work += this.size;
    }
    override has(key: K): boolean {
      work++;
      return super.has(key);
    }
  }
  globalThis.Set = CountingSet as SetConstructor;
  globalThis.Map = CountingMap as MapConstructor;
  try {
    const result = action();
    return { result, work };
  } finally {
    for (const [name, original] of saved) proto[name] = original;
    globalThis.Set = collections.Set;
    globalThis.Map = collections.Map;
  }
}

/** `i` written in base 3 with the digits ".", "-" and "_", as wide as `n` needs. */
function separators(i: number, n: number): string {
  let out = '';
  for (let k = 1, rest = i; k < n; k *= 3, rest = Math.floor(rest / 3)) out = '.-_'[rest % 3]! + out;
  return out;
}

function ip(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * One site with `n` of everything that a rule or a resolver looks up per
 * item: VLANs with a DHCP server on one bridge, a container on each VLAN,
 * firewall routes through them, interface groups, NAT port forwards, HAProxy backends and host names, WireGuard peers, zone rules, and a VPC
 * joined by a site-to-site VPN with subnets in many tiers and route tables.
 */
function siteOf(n: number): string {
  const vlanNet = (v: number) => (10 << 24) | ((100 + (v >> 8)) << 16) | ((v & 255) << 8);
  const vlans = Array.from({ length: n }, (_, v) => ({
    name: `vlan${v}`,
    vlan: { parent: 'service', tag: v + 2 },
    address: `${ip(vlanNet(v) + 1)}/24`,
    dhcp: {},
  }));
  const topology = {
    version: 1,
    name: 'scale',
    sites: [
      {
        name: 'home',
        proxmox: {
          hosts: [{ name: 'pve', ports: ['eno1', 'eno2'], bridges: [{ name: 'vmbr0', ports: ['eno1'], address: '192.168.0.10/24' }, { name: 'vmbr1', address: '10.0.0.254/24' }, { name: 'vmbr2', ports: ['eno2'] }] }],
        },
        firewall: {
          name: 'opnsense',
          vm: { id: 102, host: 'pve' },
          interfaces: [
            { name: 'wan', device: 'vtnet0', bridge: 'vmbr0', address: '192.168.0.2/24', gateway: '192.168.0.1' },
            { name: 'management', device: 'vtnet1', bridge: 'vmbr1', address: '10.0.0.1/24' },
            { name: 'service', device: 'vtnet2', bridge: 'vmbr2', address: '10.1.0.1/24' },
            { name: 'wireguard', wireguard: 'wg0' },
            ...vlans,
          ],
          routes: Array.from({ length: n }, (_, v) => ({ network: `172.${16 + (v >> 8)}.${v & 255}.0/24`, via: ip(vlanNet(v) + 254) })),
          groups: Array.from({ length: n }, (_, v) => ({ name: `group${v}x`, members: [`vlan${v}`] })),
          // Each is a WAN rule and a forward the upstream router needs (upstream/duplicate-external-port compares them).
          nat: { port_forwards: Array.from({ length: n }, (_, r) => ({ name: `pf-${r}`, proto: r % 3 ? 'tcp' : 'tcp/udp', port: r % 7 ? 20000 + 3 * r : `${20000 + 3 * r}-${20002 + 3 * r}`, address: '10.0.0.5' })) },
        },
        wireguard: [
          {
            name: 'wg0',
            listen_port: 51820,
            address: '10.200.0.1/16',
            endpoint: 'vpn.example.com',
            roles: [{ name: 'client', from: '10.200.0.2', to: '10.200.255.254' }],
            // Names that differ only in their separators: every one reduces to the same id of the graph, alias or file name.
            peers: Array.from({ length: n }, (_, i) => ({ name: `peer${separators(i, n)}x`, role: 'client', address: ip(((10 << 24) | (200 << 16)) + 2 + i) })),
          },
        ],
        services: Array.from({ length: n }, (_, v) => ({ name: `svc-${v}`, address: ip(vlanNet(v) + 10), port: 80, container: 1000 + v, guest: { gateway: ip(vlanNet(v) + 1) } })),
        // A backend per service, and a host name for each on one frontend.
        haproxy: {
          // And a frontend of its own with a certificate of its own for each.
          certificates: [
            { name: 'wildcard', domain: '*.example.com', challenge: 'dns-01', dns_provider: 'cloudflare' },
            ...Array.from({ length: n }, (_, v) => ({ name: `cert-${v}`, domain: `site${v}.example.org`, challenge: 'dns-01', dns_provider: 'cloudflare' })),
          ],
          frontends: [
            { name: 'https', bind: '0.0.0.0:443', interface: 'wan', certificate: 'wildcard', default_backend: 'web-0', hosts: Array.from({ length: n }, (_, v) => ({ name: `app${v}.example.com`, backend: `web-${v}` })) },
            { name: 'passthrough', bind: '0.0.0.0:8443', interface: 'wan', passthrough: true, default_backend: 'tls-pass' },
            ...Array.from({ length: n }, (_, v) => ({ name: `site-${v}`, bind: `0.0.0.0:${30000 + v}`, interface: 'wan', certificate: `cert-${v}`, default_backend: `web-${v}` })),
          ],
          backends: [
            // An HTTP health check asks for the backend's host name.
            ...Array.from({ length: n }, (_, v) => ({ name: `web-${v}`, check: 'http /health', servers: [{ service: `svc-${v}` }] })),
            { name: 'tls-pass', servers: [{ name: 'nas', address: ip(vlanNet(0) + 20), port: 443 }] },
          ],
        },
        policy: {
          zones: [
            { name: 'management', networks: ['management'] },
            { name: 'service', networks: ['service', ...vlans.map((v) => v.name)] },
            { name: 'vpn', networks: ['wireguard'] },
            // Every subnet of the VPC the site-to-site VPN joins: its rule derives a security group there.
            { name: 'cloud', members: Array.from({ length: n }, (_, i) => `subnet-${i}`) },
          ],
          rules: [
            { name: 'vpn-to-service', from: 'vpn', to: 'service', action: 'pass' },
            // The VLANs' DHCP gives them the firewall as DNS server (opnsense/dhcp-dns-blocked).
            { name: 'service-dns', from: 'service', to: 'self', proto: 'udp', ports: [53], action: 'pass' },
            // Rules between one-network zones: each rule carries the members of its zones, so rules
            // to a zone of many networks make work of rules × members, which this test does not measure.
            ...Array.from({ length: n }, (_, r) => ({ name: `rule-${r}`, from: 'management', to: 'vpn', proto: 'tcp', ports: [1 + r], action: 'pass' })),
            { name: 'management-to-cloud', from: 'management', to: 'cloud', proto: 'tcp', ports: [443], action: 'pass' },
            // A rule to each subnet: a security group for each.
            ...Array.from({ length: n }, (_, i) => ({ name: `to-subnet-${i}`, from: 'management', to: `subnet-${i}`, proto: 'tcp', ports: [8000 + (i % 1000)], action: 'pass' })),
            // From an address block that holds every VLAN: placed on each VLAN's interface.
            { name: 'vlans-by-address', from: '10.96.0.0/11', to: 'vpn', proto: 'tcp', ports: [65000], action: 'pass' },
          ],
        },
      },
    ],
    aws: {
      region: 'ap-northeast-2',
      // Prefixes that differ only in their separators: their statements share one Sid stem.
      buckets: [{ name: 'scale-backup-bucket' }],
      iam: { users: [{ name: 'writer', intents: Array.from({ length: n }, (_, i) => ({ intent: 'backup-writer', bucket: 'scale-backup-bucket', prefix: `host${separators(i, n)}x/` })) }] },
      vpc: {
        name: 'main',
        // AWS takes a VPC of /16 at most: 4,096 subnets of /28 fit in it.
        cidr: '172.24.0.0/16',
        subnets: Array.from({ length: n }, (_, i) => ({ name: `subnet-${i}`, az: i % 2 ? 'ap-northeast-2c' : 'ap-northeast-2a', cidr: `172.24.${i >> 4}.${(i & 15) << 4}/28`, tier: `tier${i % (n / 2)}x` })),
        route_tables: Array.from({ length: n }, (_, i) => ({ tier: 'tier0x', routes: [{ destination: `100.${64 + (i >> 8)}.${i & 255}.0/24`, target: 'vpn-gateway' }] })),
        security_groups: [
          ...Array.from({ length: n }, (_, i) => ({ name: `group-${i}`, ingress: [{ proto: 'tcp', ports: [1 + i], from: `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32` }] })),
          // Every other address of a block: a flow from the block leaves n holes.
          { name: 'scattered', ingress: Array.from({ length: n }, (_, i) => ({ proto: 'tcp', ports: [443], from: `100.${64 + ((2 * i) >> 16)}.${((2 * i) >> 8) & 255}.${(2 * i) & 255}/32` })) },
        ],
        tests: [{ from: '100.64.0.0/10', to: 'scattered', proto: 'tcp', port: 443, expect: 'deny' }],
        site_to_site: { site: 'home', customer_gateway_ip: '203.0.113.1' },
      },
    },
  };
  return stringify(topology, { lineWidth: 0 });
}

/** The resolve stage alone, as lint runs it, with the work it did (or uncounted, for a stage after it). */
async function resolved(text: string, counted = true): Promise<{ model: Model; work: number }> {
  const loaded = loadTopologyText(text, 'topology.yaml');
  if (!loaded.ok) throw new Error('does not load');
  const validated = await validateTopology(loaded.loaded);
  if (!validated.ok) throw new Error(JSON.stringify(validated.diagnostics.slice(0, 3)));
  if (!counted) return { model: resolve(validated.topology, () => {}), work: 0 };
  const { result: model, work } = arrayWork(() => resolve(validated.topology, () => {}));
  return { model, work };
}

/**
 * The model of a topology the test writes, which must be free of errors but
 * one: the writer's n prefixes make one IAM policy longer than AWS takes
 * (aws/iam-policy-size), kept so that the IAM code's work is measured on a
 * policy of n statements; that error must be there, and nothing else.
 */
async function modelOf(text: string): Promise<Model> {
  const { diagnostics, model } = await lintText(text);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const others = errors.filter((d) => d.rule !== 'aws/iam-policy-size');
  if (others.length || errors.length !== 1 || !model) throw new Error(`unexpected errors:\n${errors.map((d) => `${d.location.line}:${d.location.col} ${d.rule} ${d.message}`).join('\n')}`);
  return model;
}

/** The topology of size n, written once. */
const texts = new Map<number, string>();
function topologyText(n: number): string {
  if (!texts.has(n)) texts.set(n, siteOf(n));
  return texts.get(n)!;
}
/** A fresh model of the topology of size n, for a check that changes it. */
async function freshModel(n: number): Promise<Model> {
  return (await resolved(topologyText(n), false)).model;
}

/**
 * The work at n, 2n and 4n: the second doubling may add at most about twice
 * what the first added. A fixed cost (the factory config, a rule's look at
 * the topology's fixed part) cancels out of both; a search per item adds four
 * times as much at each doubling. (Checking the total, twice the topology at
 * most 2.5 times the work, let a fixed cost hide a quadratic part.)
 */
async function expectLinear(label: string, n: number, work: (n: number) => number | Promise<number>): Promise<void> {
  const [a, b, c] = [await work(n), await work(2 * n), await work(4 * n)];
  // Work that does not grow with the topology grows by nothing.
  expect(c - b, `${label}: ${a} → ${b} → ${c}`).toBeLessThanOrEqual(Math.max(2.5 * (b - a), 50));
}

const N = 100;
const models = new Map<number, { model: Model; work: number }>();
for (const n of [N, 2 * N, 4 * N]) models.set(n, await resolved(topologyText(n)));

describe('work grows linearly with the topology', () => {
  it('the topology of the test is clean, so every rule looks at all of it', async () => {
    const model = await modelOf(siteOf(20));
    expect(model.sites[0]!.guests.filter((g) => g.nics[0]?.tag !== undefined)).toHaveLength(20);
    expect(model.sites[0]!.firewall!.routes).toHaveLength(20);
    expect(model.sites[0]!.firewall!.groups).toHaveLength(20);
    expect(model.aws!.vpc!.tiers).toHaveLength(10);
    expect(model.aws!.vpc!.routeTables.find((t) => t.tier === 'tier0x')!.routes.filter((r) => r.target === 'vpn-gateway')).toHaveLength(20);
    expect(model.aws!.vpc!.siteToSite!.onPremNetworks.length).toBeGreaterThan(20);
    expect(model.sites[0]!.upstream!.forwards.filter((f) => f.kind === 'port-forward')).toHaveLength(20);
    expect(model.sites[0]!.haproxy.frontends[0]!.hosts).toHaveLength(20);
    expect(model.sites[0]!.haproxy.backends).toHaveLength(21);
  });

  it('resolve: twice the VLANs, services, routes, groups, peers, rules and subnets, about twice the work', () =>
    expectLinear('resolve', N, (n) => models.get(n)!.work));

  // The rules only read the model: they share one of each size.
  it.each(rules.filter((r) => r.check).map((r) => r.id))('%s: twice the topology, at most about twice the work', (id) => {
    const rule = rules.find((r) => r.id === id)!;
    return expectLinear(id, N, (n) => arrayWork(() => rule.check!(models.get(n)!.model, () => {})).work);
  });
});

describe('rendering grows linearly with the topology', () => {
  it.each(targets.map((t) => t.name))('%s: twice the topology, at most about twice the work', async (name) => {
    const target = targets.find((t) => t.name === name)!;
    // The renders share the rules' models: what is kept per site (the OPNsense rules and aliases
    // verify reads) the OPNsense render writes anew each time; each render counts the same work as on a model of its own.
    const prepared = (model: Model) => {
      if (name === 'verify') targets.find((t) => t.name === 'opnsense')!.render(model, new Map());
      return model;
    };
    // A first render does work once (a table built on first use): uncounted, on a small topology.
    target.render(prepared(await freshModel(4)), new Map());
    return expectLinear(name, N, (n) => {
      const model = prepared(models.get(n)!.model);
      return arrayWork(() => target.render(model, new Map())).work;
    });
  });
});

describe('adopting the box\'s UUIDs when merging', () => {
  const hex = (i: number, width: number) => i.toString(16).padStart(width, '0');
  const peer = (i: number, uuid: string) => element('client', [leaf('name', `peer-${i}`), leaf('pubkey', `key-${i}`)], [['uuid', uuid]]);
  /** gen's n peers, merged into a backup that already holds them (an earlier merge) and one peer of the box's own with the key of peer 0. */
  const work = (n: number) => {
    const gen = Array.from({ length: n }, (_, i) => peer(i, `${hex(i, 8)}-0000-5000-8000-000000000000`));
    const clients = (items: XmlElement[]) => element('OPNsense', [element('wireguard', [element('client', [element('clients', items)])])]);
    const own = peer(0, '11111111-2222-4333-8444-555555555555');
    const root = element('opnsense', [clients([...gen.map((g) => ({ ...g })), own])]);
    const { result, work } = arrayWork(() => adoptedUuids(root, [clients(gen)], { client: [['pubkey']] }));
    expect([...result]).toEqual([[attr(gen[0]!, 'uuid'), attr(own, 'uuid')]]);
    return work;
  };

  it('into a backup merged before: twice the items, about twice the work', () => expectLinear('adoptedUuids', 1000, work));
});

describe('opnsense/acme-challenge with an HTTP-01 certificate on each of many frontends', () => {
  it('twice the certificates and frontends, about twice the work', async () => {
    const work = async (n: number) => {
      const model = await freshModel(n);
      const certificates = model.sites[0]!.haproxy.certificates.filter((c) => !c.domain.startsWith('*'));
      expect(certificates.length).toBe(n);
      for (const cert of certificates) cert.challenge = 'http-01';
      let found = 0;
      const { work } = arrayWork(() => rules.find((r) => r.id === 'opnsense/acme-challenge')!.check!(model, () => found++));
      // No frontend of theirs listens on port 80: one finding each.
      expect(found).toBe(n);
      return work;
    };
    await expectLinear('opnsense/acme-challenge', N, work);
  });
});

describe('reading a wg-quick file (gen wg doctor)', () => {
  it('twice the AllowedIPs lines of a peer, about twice the work', () => {
    const work = (n: number) => {
      const lines = Array.from({ length: n }, (_, i) => `AllowedIPs = 10.${i >> 8}.${i & 255}.0/24, 10.200.${i >> 8}.${i & 255}/32`);
      const { result, work } = arrayWork(() => parseWgQuick(`[Interface]\nAddress = 10.0.1.2/32\n[Peer]\n${lines.join('\n')}\n`));
      expect(valuesOf(result, 'Peer', 'AllowedIPs')).toHaveLength(2 * n);
      return work;
    };
    return expectLinear('parseWgQuick', 2000, work);
  });
});

describe('the DHCP range checks on 100,000 addresses', () => {
  it('read each address once per rule, whatever the number of ranges', async () => {
    const model = await modelOf(topologyText(100));
    const site = model.sites[0]!;
    const vlanNetworks = site.networks.filter((n) => n.name.startsWith('vlan'));
    expect(vlanNetworks).toHaveLength(100);
    // 1,000 addresses on each of the 100 VLAN networks (inside their DHCP ranges), written with and without their network.
    const extra: AddressUse[] = Array.from({ length: 100_000 }, (_, i) => {
      const network = vlanNetworks[i % 100]!;
      const address = network.block.base + 128 + (i % 120);
      return { address, text: ip(address), owner: `host ${i}`, path: ['sites', 0], network: i % 2 ? network.id : undefined, isGateway: false };
    });
    let reads = 0;
    const addresses = [...model.addresses, ...extra];
    (model as { addresses: AddressUse[] }).addresses = new Proxy(addresses, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    for (const id of ['dhcp/range-conflict', 'dhcp/reservation-in-range']) {
      reads = 0;
      let findings = 0;
      const { work } = arrayWork(() => rules.find((r) => r.id === id)!.check!(model, () => findings++));
      expect(reads, id).toBeLessThanOrEqual(addresses.length);
      expect(work, id).toBeLessThan(10 * addresses.length);
      if (id === 'dhcp/range-conflict') expect(findings).toBe(100_000);
    }
  });
});

describe('merging into a backup', () => {
  const factory = readFileSync(join(root, 'test/opnsense/models/26.7/config.xml.sample'), 'utf8');
  const key = generateKeyPair().privateKey;
  // One stand-in certificate for all: making a key pair and a certificate for each is not the merge's work (and took more CPU than some merges).
  const standIn = selfSignedCertificate(['stand-in.example']);
  const options = { secret: () => key, placeholderPrefix: PRIVATE_KEY_PLACEHOLDER_PREFIX, standIn: () => standIn, allowGuiPortConflict: true };

  /** gen's sections of the topology of size n, made once for the tests here (the merge reads the model and the sections only). */
  const sectionsBySize = new Map<number, Promise<XmlElement[]>>();
  const sectionsOf = (n: number) => sectionsBySize.get(n) ?? sectionsBySize.set(n, sectionsOfModel(n)).get(n)!;
  const sectionsOfModel = async (n: number) => {
    const model = models.get(n)?.model ?? (await freshModel(n));
    return siteSections(model, model.sites[0]!).flatMap((a) => a.sections);
  };
  /** The first merge of `sections` into the factory config, made once for the tests that ask for it. */
  const firstMerges = new WeakMap<readonly XmlElement[], string>();
  const firstMerge = (sections: XmlElement[]) => firstMerges.get(sections) ?? firstMerges.set(sections, mergeConfig(factory, sections, options)).get(sections)!;
  /** The work of merging `sections` into their first merge's result again, and into it without uuids (matched by natural key). */
  const remergeWork = (sections: XmlElement[]) => {
    const first = firstMerge(sections);
    const withoutUuids = first.replace(/ uuid="[^"]*"/g, '');
    return arrayWork(() => {
      mergeConfig(first, sections, options);
      mergeConfig(withoutUuids, sections, options);
    }).work;
  };

  it('again, and into a backup whose items lost their uuids: twice the VLANs, peers and rules, about twice the work', async () => {
    // A second merge compares gen's VLANs and interfaces with the base's.
    await expectLinear('mergeConfig', N / 2, async (n) => remergeWork(await sectionsOf(n)));
  });

  it('the VLAN and interface sections alone, again and without uuids: twice the VLANs, about twice the work', async () => {
    // The rest of the merge is linear and large: beside it, a search of the
    // base's interfaces per interface of gen's (assignments, PPP links, DHCP
    // ranges, unique keys) hid under the 2.5 of expectLinear.
    const work = async (n: number) => {
      const sections = (await sectionsOf(n)).filter((s) => s.name === 'interfaces' || s.name === 'vlans');
      expect(sections.map((s) => s.name).sort()).toEqual(['interfaces', 'vlans']);
      return remergeWork(sections);
    };
    await expectLinear('mergeConfig of the VLANs and interfaces', N, work);
  });

  it('twice the HAProxy frontends, about twice the work of the check for two on one port', async () => {
    // A frontend for each certificate of the topology, each on a port of its own: no clash, every bind looked at.
    // gen's section holds them at the path of a merged config's (opnsense/OPNsense/HAProxy).
    const work = async (n: number) => {
      const root = element('opnsense', (await sectionsOf(n)).filter((s) => child(s, 'HAProxy')));
      expect(childrenNamed(child(child(child(root, 'OPNsense'), 'HAProxy'), 'frontends'), 'frontend')).toHaveLength(n + 2);
      const { result, work } = arrayWork(() => bindClashes(root));
      expect(result).toEqual([]);
      return work;
    };
    await expectLinear('bindClashes', N, work);
  });

  it('twice the HAProxy frontends, about twice the work of the check for one on an address beside each on the wildcard', async () => {
    // Beside each of gen's frontends (on the wildcard, a port of its own), one of the box's on an address and that port: one message each.
    const work = async (n: number) => {
      const haproxy = child(child(element('opnsense', (await sectionsOf(n)).filter((s) => child(s, 'HAProxy'))), 'OPNsense'), 'HAProxy');
      const gens = childrenNamed(child(haproxy, 'frontends'), 'frontend');
      const boxes = gens.map((f, i) => element('frontend', [leaf('name', `box_${i}`), leaf('bind', `203.0.113.10:${textOf(child(f, 'bind')!).split(':').pop()}`)], [['uuid', `box-${i}`]]));
      const root = element('opnsense', [element('OPNsense', [element('HAProxy', [child(haproxy, 'general'), element('frontends', gens.concat(boxes))])])]);
      const uuids = new Set(gens.map((f) => attr(f, 'uuid')));
      const { result, work } = arrayWork(() => bindShadows(haproxyBinds(root, (uuid) => uuids.has(uuid))));
      expect(result).toHaveLength(n + 2);
      return work;
    };
    await expectLinear('bindShadows', N, work);
  });

  it("twice the HAProxy frontends, about twice the work of the check for one on a host name beside each of gen's on an address", async () => {
    // Each of gen's frontends moved from the wildcard to an address, a port of its own; beside each, one of the box's on a host name and that port: one message each.
    const work = async (n: number) => {
      const haproxy = child(child(element('opnsense', (await sectionsOf(n)).filter((s) => child(s, 'HAProxy'))), 'OPNsense'), 'HAProxy');
      const ports = childrenNamed(child(haproxy, 'frontends'), 'frontend').map((f) => textOf(child(f, 'bind')!).split(':').pop()!);
      const gens = ports.map((port, i) => element('frontend', [leaf('enabled', '1'), leaf('name', `gen_${i}`), leaf('bind', `192.0.2.1:${port}`)], [['uuid', `gen-${i}`]]));
      const boxes = ports.map((port, i) => element('frontend', [leaf('enabled', '1'), leaf('name', `box_${i}`), leaf('bind', `box${i}.example.org:${port}`)], [['uuid', `box-${i}`]]));
      const root = element('opnsense', [element('OPNsense', [element('HAProxy', [child(haproxy, 'general'), element('frontends', gens.concat(boxes))])])]);
      const binds = haproxyBinds(root, (uuid) => uuid.startsWith('gen-'));
      const { result, work } = arrayWork(() => namedBindClashes(binds));
      expect(result).toHaveLength(n + 2);
      return work;
    };
    await expectLinear('namedBindClashes', N, work);
  });

  /** gen's DHCP section of the topology of size n, served by `server`. */
  const dhcpOf = async (n: number, server: 'dnsmasq' | 'isc') => {
    const model = await freshModel(n);
    (model.sites[0]!.firewall as { dhcpServer: string }).dhcpServer = server;
    const sections = siteSections(model, model.sites[0]!).flatMap((a) => a.sections).filter((s) => s.name === 'dnsmasq' || s.name === 'dhcpd');
    expect(sections.map((s) => s.name)).toEqual([server === 'isc' ? 'dhcpd' : 'dnsmasq']);
    return sections;
  };

  it('the DHCP sections alone, again and after the other server: twice the VLANs, about twice the work', async () => {
    // Each server's merge drops the other's entries of its interfaces, and a merge again finds the base's entry of each.
    const work = async (n: number) => {
      const [isc, dnsmasq] = [await dhcpOf(n, 'isc'), await dhcpOf(n, 'dnsmasq')];
      const byIsc = mergeConfig(factory, isc, options);
      const byDnsmasq = mergeConfig(factory, dnsmasq, options);
      let switched = '';
      const { work } = arrayWork(() => {
        mergeConfig(byIsc, isc, options);
        mergeConfig(byDnsmasq, dnsmasq, options);
        switched = mergeConfig(byIsc, dnsmasq, options);
        mergeConfig(byDnsmasq, isc, options);
      });
      // The switch to dnsmasq took every ISC entry of gen's interfaces out.
      const keys = new Set(childrenNamed(child(parseXml(switched).root, 'dnsmasq'), 'dhcp_ranges').map((r) => textOf(child(r, 'interface'))));
      expect(keys.size).toBeGreaterThanOrEqual(n);
      expect((child(parseXml(switched).root, 'dhcpd')?.children ?? []).filter((c) => 'name' in c && keys.has(c.name))).toEqual([]);
      return work;
    };
    await expectLinear('mergeConfig of the DHCP sections', N, work);
  });

  it("the box's dnsmasq ranges that hand out the firewall as DNS server: twice the interfaces, ranges and options, about twice the work", () => {
    // Each interface: a global IPv6 address, an IPv4 range, an advertised IPv6 range of its network with a tag of its
    // own, and DNS options of the interface (one naming a server, one the firewall by [::]); a request is matched
    // against the lines of its tags, a range against the networks of the interfaces' addresses. dnsmasq's DNS is off
    // (port 0), so nothing answers the firewall its DHCP hands out.
    const work = (n: number) => {
      const items = Array.from({ length: n }, (_, i) => i);
      const tag = (i: number) => `11111111-2222-4333-8444-${i.toString(16).padStart(12, '0')}`;
      const config = element('opnsense', [
        element('interfaces', items.map((i) => element(`opt${i + 1}`, [leaf('if', `vtnet${i + 1}`), leaf('enable', '1'), leaf('ipaddrv6', `2001:db8:${i.toString(16)}::1`), leaf('subnetv6', '64')]))),
        element('dnsmasq', [
          leaf('enable', '1'),
          leaf('port', '0'),
          leaf('interface', items.map((i) => `opt${i + 1}`).join(',')),
          ...items.flatMap((i) => [
            element('dhcp_ranges', [leaf('interface', `opt${i + 1}`), leaf('start_addr', `10.${i >> 8}.${i & 255}.100`), leaf('end_addr', `10.${i >> 8}.${i & 255}.199`)], [['uuid', tag(2 * n + i)]]),
            element('dhcp_ranges', [leaf('interface', `opt${i + 1}`), leaf('start_addr', `2001:db8:${i.toString(16)}::`), leaf('ra_mode', 'slaac'), leaf('set_tag', tag(i))], [['uuid', tag(3 * n + i)]]),
            element('dhcp_options', [leaf('type', 'set'), leaf('option', '6'), leaf('interface', `opt${i + 1}`), leaf('value', '10.0.0.53')], [['uuid', tag(4 * n + i)]]),
            element('dhcp_options', [leaf('type', 'set'), leaf('option6', '23'), leaf('interface', `opt${i + 1}`), leaf('tag', tag(i)), leaf('value', '[::]')], [['uuid', tag(5 * n + i)]]),
          ]),
        ]),
      ]);
      const { result, work } = arrayWork(() => firewallDnsRanges(config, true, releaseFacts('26.7')!));
      // Every advertised IPv6 range gets the firewall by its tag's option; no IPv4 range does.
      expect(result.map((r) => textOf(child(r.range, 'start_addr')))).toEqual(items.map((i) => `2001:db8:${i.toString(16)}::`));
      return work;
    };
    return expectLinear('firewallDnsRanges', N, work);
  });

  it("the box's Hosts of a reservation's MAC among others: twice the interfaces and Hosts, about twice the work", () => {
    // Each interface: gen's reservation and a box's Host listing its MAC and another, of no address: each box's Host
    // named once, each reservation's network looked up among the interfaces', each MAC among the box's Hosts'.
    const work = (n: number) => {
      const items = Array.from({ length: n }, (_, i) => i);
      const mac = (i: number, last: number) => `52:54:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:0${last}`;
      const host = (uuid: string, name: string, ip: string, macs: string) => element('hosts', [leaf('host', name), leaf('ip', ip), leaf('hwaddr', macs)], [['uuid', uuid]]);
      const genUuid = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
      const config = element('opnsense', [
        element('interfaces', items.map((i) => element(`opt${i + 1}`, [leaf('if', `vlan0.${i + 1}`), leaf('ipaddr', `10.${i >> 8}.${i & 255}.1`), leaf('subnet', '24')]))),
        element('dnsmasq', [
          leaf('enable', '1'),
          ...items.flatMap((i) => [
            host(`11111111-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, `box${i}`, '', `${mac(i, 2)},${mac(i, 1)}`),
            host(genUuid(i), `gen${i}`, `10.${i >> 8}.${i & 255}.10`, mac(i, 1)),
          ]),
        ]),
      ]);
      const gens = new Set(items.map(genUuid));
      const { result, work } = arrayWork(() => sharedMacs(config, (uuid) => gens.has(uuid)));
      expect(result).toHaveLength(n);
      return work;
    };
    return expectLinear('sharedMacs', N, work);
  });

  it("the dnsmasq lines dnsmasq refuses: twice the ranges, Hosts and DHCP options, about twice the work", () => {
    // Each interface: an IPv6 range with an end in another /64 and an RA MTU below 1280, two DHCP Hosts of one
    // address, and an NTP server option naming a host: every range, every second Host and every option is named, each
    // Host's address looked up among those reserved before, each option's number in dnsmasq's table.
    const work = (n: number) => {
      const items = Array.from({ length: n }, (_, i) => i);
      const host = (i: number, mac: string) => element('hosts', [leaf('host', `h${i}-${mac.slice(-2)}`), leaf('hwaddr', mac), leaf('ip', `10.${i >> 8}.${i & 255}.10`)]);
      const config = element('opnsense', [
        element('dnsmasq', [
          leaf('enable', '1'),
          ...items.flatMap((i) => [
            element('dhcp_ranges', [leaf('interface', `opt${i + 1}`), leaf('start_addr', `2001:db8:${i.toString(16)}::1000`), leaf('end_addr', `2001:db8:${(i + 1).toString(16)}::1000`), leaf('ra_mode', 'slaac'), leaf('ra_mtu', '1000')]),
            host(i, '52:54:00:00:00:01'),
            host(i, '52:54:00:00:00:02'),
            element('dhcp_options', [leaf('type', 'set'), leaf('option', '42'), leaf('interface', `opt${i + 1}`), leaf('value', `ntp${i}.example.org`)]),
          ]),
        ]),
      ]);
      const release = releaseFacts('26.7')!;
      const { result, work } = arrayWork(() => dnsmasqRefusals(config, '2.93', release));
      expect(result).toHaveLength(4 * n);
      return work;
    };
    return expectLinear('dnsmasqRefusals', N, work);
  });

  it('a section gen writes empty now: twice the items of an earlier merge, about twice the work of removing them', async () => {
    // Every static route dropped from the topology: gen writes <staticroutes> with no route, and the earlier ones go.
    const work = async (n: number) => {
      const routes = (await sectionsOf(n)).filter((s) => s.name === 'staticroutes');
      expect(childrenNamed(routes[0], 'route')).toHaveLength(n);
      const merged = mergeConfig(factory, routes, options);
      const none = routes.map((s) => Object.assign({}, s, { children: [] }));
      let result = '';
      const { work } = arrayWork(() => (result = mergeConfig(merged, none, options)));
      expect(childrenNamed(child(parseXml(result).root, 'staticroutes'), 'route')).toEqual([]);
      return work;
    };
    await expectLinear('mergeConfig of an emptied section', N, work);
  });

  /** `n` WireGuard instances of gen's (UUIDs of gen's) or of the box's, each on a port and tunnel network of its own. */
  const instances = (n: number, from: number, uuid: (i: number) => string, privkey: string) =>
    Array.from({ length: n }, (_, k) => {
      const i = from + k;
      return element(
        'server',
        [leaf('enabled', '1'), leaf('name', `wg${i}`), leaf('instance', i), leaf('pubkey', ''), leaf('privkey', privkey), leaf('port', 20000 + i), leaf('tunneladdress', `10.${i >> 8}.${i & 255}.1/24,fd00:${i.toString(16)}::1/64`), leaf('peers', '')],
        [['uuid', uuid(i)]],
      );
    });
  const wireguardSection = (servers: XmlElement[]) => element('OPNsense', [element('wireguard', [element('server', [element('servers', servers)], [['version', '1.0.1']])])]);
  const genUuid = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-5000-8000-00006e67656e`;

  it('twice the WireGuard instances, about twice the work of checking them for clashes', () => {
    // gen's instances and as many of the box's, none sharing a port or a network with another: every pair looked at.
    const work = (n: number) => {
      const gen = instances(n, 0, genUuid, key);
      const own = instances(n, n, (i) => `${i.toString(16).padStart(8, '0')}-1111-4222-8333-444444444444`, key);
      // One of the box's on gen's first port and inside its network: found, as before.
      own.push(element('server', [leaf('enabled', '1'), leaf('name', 'theirs'), leaf('instance', 2 * n), leaf('port', 20000), leaf('tunneladdress', '10.0.0.128/25')], [['uuid', 'ffffffff-1111-4222-8333-444444444444']]));
      const root = element('opnsense', [wireguardSection(gen.concat(own))]);
      const gens = new Set(gen.map((g) => attr(g, 'uuid')));
      const { result, work } = arrayWork(() => wireguardClashes(root, (uuid) => gens.has(uuid)));
      expect(result).toHaveLength(2);
      expect(result[0]).toMatch(/instance wg0 .* and the base's WireGuard instance theirs .* both listen on UDP 20000/);
      expect(result[1]).toMatch(/wg0\) \(10\.0\.0\.1\/24\) and the base's WireGuard instance theirs .* \(10\.0\.0\.128\/25\) have overlapping tunnel networks/);
      return work;
    };
    return expectLinear('wireguardClashes', N, work);
  });

  it('twice the WireGuard instances, about twice the work of merging them again with the keys the box has', () => {
    // No key in the secrets directory: each instance keeps the one the box has from the merge before.
    const work = (n: number) => {
      const sections = [wireguardSection(instances(n, 0, genUuid, `${PRIVATE_KEY_PLACEHOLDER_PREFIX}wg.key`))];
      const first = mergeConfig(factory, sections, options);
      let again = '';
      const { work } = arrayWork(() => (again = mergeConfig(first, sections, Object.assign({}, options, { secret: () => undefined }))));
      expect(again).toBe(first);
      const servers = childrenNamed(child(child(child(child(parseXml(again).root, 'OPNsense'), 'wireguard'), 'server'), 'servers'), 'server');
      expect(servers.map((s) => textOf(child(s, 'privkey')))).toEqual(Array.from({ length: n }, () => key));
      return work;
    };
    return expectLinear('mergeConfig of the WireGuard instances', N, work);
  });

  it('the search for items of earlier merges goes through each element of the config once, copying no path', async () => {
    // A merged config of gen's items, all of them current: nothing is stale, every element is looked at.
    const merged = parseXml(firstMerge(await sectionsOf(2 * N))).root;
    const current = new Set<string>();
    let elements = 0;
    const count = (node: XmlElement) => {
      elements++;
      const uuid = attr(node, 'uuid');
      if (uuid !== undefined) current.add(uuid);
      for (const c of node.children) if ('name' in c) count(c);
    };
    count(merged);
    const { result, work } = arrayWork(() => dropStaleItems(merged, current, () => {}));
    expect(result).toEqual([]);
    // Each element's children are gone through once, and its attributes read for a uuid; a path copied per element
    // (as deep as the element) adds several times as much.
    expect(work).toBeLessThan(3 * elements);
  });

  it("twice the items of an earlier merge, about twice the work of dropping them, or of keeping those the box's own items use", () => {
    // n peers of gen's that the topology no longer has; in the second case one instance of the box's names them all.
    const staleUuid = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-6e67656e0000`;
    const work = (n: number, used: boolean) => {
      const peers = Array.from({ length: n }, (_, i) => element('client', [leaf('enabled', '1'), leaf('name', `p${i}`)], [['uuid', staleUuid(i)]]));
      const theirs = element('server', [leaf('name', 'theirs'), leaf('peers', used ? peers.map((p) => attr(p, 'uuid')).join(',') : '')], [['uuid', 'ffffffff-1111-4222-8333-444444444444']]);
      const root = element('opnsense', [element('OPNsense', [element('wireguard', [element('client', [element('clients', peers)]), element('server', [element('servers', [theirs])])])])]);
      const warnings: string[] = [];
      // Array calls, and each walk over a map or a set (a set made of one, a spread, a for-of, keys(), entries()) by its size.
      const walks = [Map.prototype, Set.prototype].flatMap((proto) =>
        (['keys', 'values', 'entries', Symbol.iterator] as const).map((name) => ({ proto: proto as unknown as Record<PropertyKey, (...args: unknown[]) => unknown>, name, original: (proto as unknown as Record<PropertyKey, (...args: unknown[]) => unknown>)[name]! })),
      );
      let walked = 0;
      for (const { proto, name, original } of walks) {
        proto[name] = function (this: Map<unknown, unknown> | Set<unknown>) {
          walked += this.size;
          return original.call(this);
        };
      }
      let counted;
      try {
        counted = arrayWork(() => dropStaleItems(root, new Set(), (w) => warnings.push(w)));
      } finally {
        for (const { proto, name, original } of walks) proto[name] = original;
      }
      expect(childrenNamed(child(child(child(root, 'OPNsense'), 'wireguard'), 'client'), 'clients').flatMap((c) => childrenNamed(c, 'client'))).toHaveLength(used ? n : 0);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(used ? new RegExp(`^kept .*"p${n - 1}" \\(used by the box's server "theirs"\\)`) : new RegExp(`^removed WireGuard peer "p0", .*"p${n - 1}": an earlier merge wrote them`));
      return counted.work + walked;
    };
    return Promise.all([expectLinear('dropStaleItems, dropping', 10 * N, (n) => work(n, false)), expectLinear('dropStaleItems, keeping', 10 * N, (n) => work(n, true))]);
  });

  it('twice the certificates, about twice the work of merging them, into the factory config and again', async () => {
    // Each <cert> is a section of its own, and its stand-in is named after the ACME certificate that renews it.
    const work = async (n: number) => {
      const all = await sectionsOf(n);
      const acme = all.flatMap((s) => childrenNamed(s, 'AcmeClient'));
      const sections = all.filter((s) => s.name === 'cert').concat(element('OPNsense', acme));
      expect(sections).toHaveLength(n + 2);
      let first = '';
      const { work } = arrayWork(() => {
        first = mergeConfig(factory, sections, options);
        mergeConfig(first, sections, options);
      });
      expect(childrenNamed(parseXml(first).root, 'cert')).toHaveLength(n + 1 + childrenNamed(parseXml(factory).root, 'cert').length);
      return work;
    };
    await expectLinear('mergeConfig of the certificates', N, work);
  });
});
