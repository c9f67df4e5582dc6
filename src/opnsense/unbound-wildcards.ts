// The box's own wildcard Unbound host overrides and gen's exact names below
// them. OPNsense writes an enabled A/AAAA override (or alias) with host name
// "*" as `local-zone: "<domain>" redirect` plus local-data at the zone's top
// (opnsense/core 25.7.11 to 26.7.2 plugins.inc.d/unbound.inc
// unbound_add_host_entries()). Unbound puts each local-data line into the
// closest zone above its name and refuses local-data below the top of a
// redirect zone (unbound services/localzone.c lz_enter_rr_into_zone(): "local-data
// in redirect zone must reside at top of zone"), a fatal configuration error:
// Unbound does not start and the box answers no DNS at all. gen's override of
// a name under such a wildcard is therefore left out; the box's wildcard
// already answers the name, with the address it names, and merge says so.
import { type XmlElement, attr, child, childrenNamed, isElement } from '../render/opnsense/xml.js';
import { fieldText } from './fields.js';
import { boxUnbound, genHostItems, hostAnswer, hostItems, hostName } from './unbound-items.js';

interface Zone {
  domain: string;
  /** Its local-zone type: redirect for a wildcard, general.local_zone_type for the system domain's. */
  type: string;
  /** The box's wildcard override it comes from, as a warning names it; none for the system domain's zone. */
  wildcard?: string;
  /** The wildcard's answer (record type and address). */
  answer?: string;
}

/** The redirect zones of the box's enabled wildcard overrides and aliases, and the system domain's zone (local_zone_type, never redirect). */
function boxZones(root: XmlElement): Zone[] {
  const model = boxUnbound(root);
  const hosts = hostItems(model).filter((h) => fieldText(h, 'enabled') === '1' && ['A', 'AAAA'].includes(fieldText(h, 'rr')));
  const byUuid = new Map(hosts.map((h) => [attr(h, 'uuid'), h]));
  const zones: Zone[] = [];
  for (const h of hosts) {
    if (fieldText(h, 'hostname') === '*') zones.push({ domain: fieldText(h, 'domain'), type: 'redirect', wildcard: `*.${fieldText(h, 'domain')}`, answer: hostAnswer(h) });
  }
  for (const a of childrenNamed(child(model, 'aliases'), 'alias')) {
    const host = byUuid.get(fieldText(a, 'host'));
    if (!host || fieldText(a, 'enabled') !== '1') continue;
    const hostname = fieldText(a, 'hostname') || fieldText(host, 'hostname');
    const domain = fieldText(a, 'domain') || fieldText(host, 'domain');
    if (hostname === '*') zones.push({ domain, type: 'redirect', wildcard: `*.${domain} (an alias of ${fieldText(host, 'hostname')}.${fieldText(host, 'domain')})`, answer: hostAnswer(host) });
  }
  const system = fieldText(child(root, 'system'), 'domain');
  // The model's value; a root not yet migrated keeps it in the legacy <unbound> (Migrations/M1_0_5.php moves it).
  const type = fieldText(child(model, 'general'), 'local_zone_type') || fieldText(child(root, 'unbound'), 'local_zone_type') || 'transparent';
  if (system) zones.push({ domain: system, type });
  return zones.map((z) => Object.assign({}, z, { domain: z.domain.toLowerCase().replace(/\.$/, '') }));
}

/** The closest of the zones at or above `name`, as Unbound picks the zone for a local-data line. */
function closestZone(zones: readonly Zone[], name: string): Zone | undefined {
  let best: Zone | undefined;
  for (const z of zones) {
    if (name !== z.domain && !name.endsWith(`.${z.domain}`)) continue;
    if (!best || z.domain.length > best.domain.length || (z.domain === best.domain && z.wildcard)) best = z;
  }
  return best;
}

/** Local-zone types under which Unbound ignores local data (unbound.conf(5): "always_transparent: Like transparent, but ignores local data"; likewise always_refuse, always_nxdomain). */
const IGNORES_LOCAL_DATA = new Set(['always_transparent', 'always_refuse', 'always_nxdomain']);

/** gen's overrides (gen's sections) whose name lies in the box's system domain zone of a type that ignores them, as a warning. */
export function ignoredOverrides(root: XmlElement, sections: readonly XmlElement[]): string[] {
  const zones = boxZones(root);
  const names = genHostItems(sections)
    .map((h) => hostName(h).toLowerCase())
    .filter((name) => {
      const zone = closestZone(zones, name);
      return zone !== undefined && !zone.wildcard && IGNORES_LOCAL_DATA.has(zone.type);
    });
  if (names.length === 0) return [];
  const zone = closestZone(zones, names[0]!)!;
  return [
    `the box's Unbound answers its system domain ${zone.domain} as local zone type ${zone.type}, which ignores host overrides: gen's overrides of ${names.join(', ')} are not answered; ` +
      'set Local Zone Type to transparent (or static) in Services › Unbound DNS › General',
  ];
}

/**
 * gen's sections without its Unbound host overrides that a wildcard override of the box answers (in a redirect zone
 * Unbound refuses them), and a warning per such name. Sections without one are returned as they are.
 */
export function withoutWildcardCovered(root: XmlElement, sections: readonly XmlElement[], warn: (message: string) => void): XmlElement[] {
  const zones = boxZones(root);
  if (!zones.some((z) => z.wildcard)) return [...sections];
  return sections.map((section) => {
    const unboundplus = section.name === 'OPNsense' ? child(section, 'unboundplus') : undefined;
    const hosts = child(unboundplus, 'hosts');
    if (!hosts) return section;
    const kept = hosts.children.filter((h) => {
      if (!isElement(h) || h.name !== 'host') return true;
      const name = hostName(h).toLowerCase();
      const zone = closestZone(zones, name);
      if (!zone?.wildcard) return true;
      const ours = hostAnswer(h);
      warn(
        `the box's wildcard Unbound host override ${zone.wildcard} answers ${name} with ${zone.answer}, so merge leaves out gen's override of it (${ours}): ` +
          'Unbound refuses a host override below a wildcard one and would not start' +
          (zone.answer === ours ? '' : `; to reach HAProxy by the name inside, point the wildcard at ${fieldText(h, 'server')} (the address HAProxy listens on), or set split_dns: false on the frontend to keep the wildcard's answer without this warning`),
      );
      return false;
    });
    if (kept.length === hosts.children.length) return section;
    const swap = (node: XmlElement, from: XmlElement, to: XmlElement): XmlElement =>
      Object.assign({}, node, { children: node.children.map((c) => (c === from ? to : c)) });
    const newHosts = Object.assign({}, hosts, { children: kept });
    return swap(section, unboundplus!, swap(unboundplus!, hosts, newHosts));
  });
}
