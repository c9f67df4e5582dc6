// Every element gen writes under an MVC section exists in the upstream
// model file of that section (OPNsense drops unknown elements silently),
// and each section's version attribute is the model's version.
// upstream/ holds verbatim copies of OPNsense 25.7.11 models (and the
// 24.7.12 WireGuard server model); see upstream/SOURCES.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { edit, readExample, root } from '../helpers.js';
import { type Xml, fragments, withRoutesAndGroups } from './support.js';

const upstream = join(root, 'test/opnsense/upstream');
const reader = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: true });

function model(file: string): { items: Xml; version: string } {
  const doc = reader.parse(readFileSync(join(upstream, file), 'utf8')).model;
  return { items: doc.items, version: String(doc.version) };
}

/** A model's element names as nested keys (an item's fields under its array element). */
function fields(names: string, arrays: Record<string, string> = {}): Xml {
  const leaves = (list: string) => Object.fromEntries(list.split(' ').filter(Boolean).map((n) => [n, {}]));
  return { ...leaves(names), ...Object.fromEntries(Object.entries(arrays).map(([name, list]) => [name, leaves(list)])) };
}

/**
 * Models with no verbatim copy in upstream/: their element names, read
 * from opnsense/core (Dnsmasq/Dnsmasq.xml at model version 1.0.8, the 25.7
 * one; Firewall/Group.xml 1.0.0).
 */
const INLINE_MODELS: Record<string, { items: Xml; version: string }> = {
  dnsmasq: {
    version: '1.0.8',
    items: {
      ...fields(
        'enable regdhcp regdhcpstatic dhcpfirst strict_order domain_needed no_private_reverse no_resolv log_queries no_hosts strictbind dnssec regdhcpdomain interface port dns_forward_max cache_size local_ttl add_mac add_subnet strip_subnet no_ident',
        {
          dhcp: 'no_interface fqdn domain local lease_max authoritative default_fw_rules reply_delay enable_ra nosync',
          hosts: 'host domain local ip cnames client_id hwaddr lease_time ignore set_tag descr comments aliases',
          domainoverrides: 'sequence domain ipset srcip port ip descr',
          dhcp_tags: 'tag',
          dhcp_ranges: 'interface set_tag start_addr end_addr subnet_mask constructor mode prefix_len lease_time domain_type domain nosync ra_mode ra_priority ra_mtu ra_interval ra_router_lifetime description',
          dhcp_options: 'type option option6 interface tag set_tag value force description',
          dhcp_boot: 'interface tag filename servername address description',
        },
      ),
    },
  },
  ifgroups: { version: '1.0.0', items: fields('', { ifgroupentry: 'ifname members nogroup sequence descr' }) },
};

/** MVC sections by their path under <opnsense>; the model file that describes each. */
function modelFiles(release: string): Record<string, string | null> {
  return {
    vlans: 'Vlan.xml',
    staticroutes: 'Route.xml',
    'OPNsense/Gateways': 'Gateways.xml',
    'OPNsense/Firewall/Alias': 'Alias.xml',
    'OPNsense/wireguard/general': 'General.xml',
    'OPNsense/wireguard/server': release.startsWith('24.7') ? 'core-24.7.12/Server.xml' : 'Server.xml',
    'OPNsense/wireguard/client': 'Client.xml',
    'OPNsense/HAProxy': 'HAProxy.xml',
    dnsmasq: 'inline',
    ifgroups: 'inline',
    // No copy of the 25.7 ACME client model (4.3.0) here: checked by the scenario tests only.
    'OPNsense/AcmeClient': null,
  };
}

/** Paths of elements in `gen` that `items` (a model's <items>) does not define. */
function unknownElements(gen: Xml, items: Xml, path: string): string[] {
  if (gen === null || typeof gen !== 'object') return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(gen)) {
    if (key.startsWith('@') || key === '#text') continue;
    if (items === null || typeof items !== 'object' || !(key in items)) {
      out.push(`${path}/${key}`);
      continue;
    }
    for (const v of Array.isArray(value) ? value : [value]) out.push(...unknownElements(v, items[key], `${path}/${key}`));
  }
  return out;
}

function mvcSections(doc: Xml): Map<string, Xml> {
  const found = new Map<string, Xml>();
  const o = doc.opnsense;
  for (const key of ['vlans', 'staticroutes', 'dnsmasq', 'ifgroups']) if (o[key]) found.set(key, o[key]);
  const mvc = o.OPNsense ?? {};
  for (const key of ['Gateways', 'HAProxy', 'AcmeClient']) if (mvc[key]) found.set(`OPNsense/${key}`, mvc[key]);
  if (mvc.Firewall?.Alias) found.set('OPNsense/Firewall/Alias', mvc.Firewall.Alias);
  for (const key of ['general', 'server', 'client']) if (mvc.wireguard?.[key]) found.set(`OPNsense/wireguard/${key}`, mvc.wireguard[key]);
  return found;
}

const cases = [
  { name: 'scenario A', yaml: () => readExample('homelab'), site: 'home', release: '25.7' },
  { name: 'scenario B', yaml: () => readExample('vlan-hosting'), site: 'hosting', release: '25.7' },
  { name: 'scenario A with routes and groups', yaml: withRoutesAndGroups, site: 'home', release: '25.7' },
  { name: 'scenario A on 24.7', yaml: () => edit(readExample('homelab'), ['sites', 0, 'firewall', 'release'], '24.7'), site: 'home', release: '24.7' },
];

describe.each(cases)('$name: MVC sections against the upstream models', ({ yaml, site, release }) => {
  it('writes only elements the models define, with the models\' versions', async () => {
    const files = await fragments(yaml(), site);
    const files_ = modelFiles(release);
    const seen = new Set<string>();
    for (const [name, text] of files) {
      for (const [section, gen] of mvcSections(reader.parse(text))) {
        expect(section in files_, `${name}: unexpected MVC section ${section}`).toBe(true);
        seen.add(section);
        const file = files_[section];
        if (!file) continue;
        const { items, version } = file === 'inline' ? INLINE_MODELS[section]! : model(file);
        expect(unknownElements(gen, items, section), `${name}: elements missing from ${file}`).toEqual([]);
        if (release === '25.7' || file.startsWith('core-24.7.12/') || (file === 'inline' && section !== 'dnsmasq')) expect(gen['@version'], `${name}: ${section} version`).toBe(version);
      }
    }
    expect(seen.size).toBeGreaterThan(3);
  });
});

describe('the upstream check itself', () => {
  it('finds an element that is not in the model', () => {
    const { items } = model('Client.xml');
    expect(unknownElements({ clients: { client: [{ name: 'a', allowedips: '10.0.0.0/24' }] } }, items, 'client')).toEqual(['client/clients/client/allowedips']);
  });

  it('finds one in the models listed inline', () => {
    const gen = { enable: '1', dhcp_ranges: [{ interface: 'lan', start: '10.0.0.10' }] };
    expect(unknownElements(gen, INLINE_MODELS.dnsmasq!.items, 'dnsmasq')).toEqual(['dnsmasq/dhcp_ranges/start']);
  });
});
