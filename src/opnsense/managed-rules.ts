// On the interfaces gen assigns, the topology's policy is the whole truth
// (default deny): the base's own rules there would pass what the policy
// blocks. OPNsense evaluates MVC rules before legacy ones of the same
// priority, so both kinds are cleared, whichever one the release gen
// targets writes: the 26.7 factory's MVC "Default allow LAN" rules as much
// as the legacy ones of earlier releases. Floating rules (several
// interfaces, or the interface negated) and rules of other interfaces stay.
// Rules of earlier merges (gen's UUIDs: isGenUuid) that gen
// no longer writes go too, and so does one gen now writes into another
// store: after an upgrade to 26.7 the box still holds the legacy outbound
// NAT rule of a 25.7 merge under the uuid gen now gives its MVC source NAT
// rule, and kept beside it pf got the rule twice (and the box the
// migration assistant).
import type { Model, Site } from '../model.js';
import { isGenUuid } from '../render/opnsense/ids.js';
import { type XmlElement, attr, child, isElement } from '../render/opnsense/xml.js';
import { IPSEC_INTERFACE } from '../targets/opnsense/interfaces.js';
import { at, fieldText } from './fields.js';

interface RuleStore {
  path: readonly string[];
  what: string;
  /** The single interface a rule sits on, or undefined for a floating one (and for stores that are not per interface). */
  interfaceOf?(rule: XmlElement): string | undefined;
}

const STORES: readonly RuleStore[] = [
  { path: ['filter'], what: 'filter rule', interfaceOf: (r) => (fieldText(r, 'floating') === '' ? fieldText(r, 'interface') : undefined) },
  { path: ['nat'], what: 'port forward', interfaceOf: (r) => (fieldText(r, 'interface').includes(',') ? undefined : fieldText(r, 'interface')) },
  { path: ['nat', 'outbound'], what: 'outbound NAT rule' },
  {
    path: ['OPNsense', 'Firewall', 'Filter', 'rules'],
    what: 'filter rule',
    interfaceOf: (r) => (fieldText(r, 'interfacenot') === '1' || fieldText(r, 'interface').includes(',') ? undefined : fieldText(r, 'interface')),
  },
  { path: ['OPNsense', 'Firewall', 'Filter', 'snatrules'], what: 'outbound NAT rule' },
];

/** Where the rule stores sit under <opnsense> (each must be there at most once, like the sections gen merges into). */
export const RULE_STORE_PATHS: readonly (readonly string[])[] = STORES.map((s) => s.path);

/** The uuids of the rules gen writes into one store (its sections are top-level elements of <opnsense>). */
function storeUuids(sections: readonly XmlElement[], path: readonly string[]): Set<string> {
  const uuids = new Set<string>();
  for (const section of sections) {
    if (section.name !== path[0]) continue;
    for (const rule of at(section, path.slice(1))?.children ?? []) {
      const uuid = isElement(rule) && rule.name === 'rule' ? attr(rule, 'uuid') : undefined;
      if (uuid !== undefined) uuids.add(uuid);
    }
  }
  return uuids;
}

/** The AWS VPC joined to the site by the site-to-site VPN: its traffic enters pf on enc0. */
export interface JoinedVpc {
  name: string;
  cidr: string;
}

/** The VPC joined to `site` by the site-to-site VPN, if there is one. */
export function joinedVpc(model: Model, site: Site): JoinedVpc | undefined {
  const vpc = model.aws?.vpc;
  return vpc?.siteToSite?.site === site.name ? { name: vpc.name, cidr: vpc.cidr } : undefined;
}

/**
 * Removes the base's rules on `managed` interfaces and stale rules of
 * earlier merges, except the ones gen writes now into the same store (of
 * `sections`); says which of the box's own rules it removed, and names the
 * box's rules that run before or among the policy's (warnEarlierRules).
 */
export function clearManagedRules(
  root: XmlElement,
  sections: readonly XmlElement[],
  genUuids: ReadonlySet<string>,
  managed: ReadonlySet<string>,
  warn: (message: string) => void,
  vpc?: JoinedVpc,
): void {
  for (const store of STORES) {
    const parent = at(root, store.path);
    if (!parent) continue;
    const written = storeUuids(sections, store.path);
    const kept = parent.children.filter((c) => {
      if (!isElement(c) || c.name !== 'rule') return true;
      const uuid = attr(c, 'uuid');
      if (uuid !== undefined && written.has(uuid)) return true;
      if (isGenUuid(uuid)) return false;
      const iface = store.interfaceOf?.(c);
      if (iface === undefined || !managed.has(iface)) return true;
      const descr = fieldText(c, 'descr') || fieldText(c, 'description');
      warn(`removed the base's ${store.what}${descr ? ` "${descr}"` : ''} on ${iface}: on the interfaces the topology assigns, its policy decides what passes (default deny)`);
      return false;
    });
    if (kept.length !== parent.children.length) {
      parent.children = kept;
      delete parent.raw;
    }
  }
  warnEarlierRules(root, genUuids, managed, sharedInterfaces(sections, managed, vpc), warn);
}

const AMONG_POLICY = "where the topology's policy has rules too: OPNsense evaluates both by sequence, so it can pass or block what the policy decides there (a pass also what the policy leaves denied)";

/**
 * The interfaces the policy decides on without gen managing them, with what
 * the policy means there: enc0, which the site-to-site VPN shares with the
 * box's other IPsec tunnels (its rules there stay). OPNsense orders an
 * interface's rules by priority and sequence alone
 * (FilterRuleField::getPriority, 400000 for every single-interface rule), so
 * the box's own rules there run among gen's. A joined VPC with no rule from
 * it in the policy puts nothing of gen's on enc0, yet the policy still says
 * the VPC reaches nothing (default deny), and a box's pass there (a common
 * step of IPsec how-tos) opens every internal network to it.
 */
function sharedInterfaces(sections: readonly XmlElement[], managed: ReadonlySet<string>, vpc: JoinedVpc | undefined): Map<string, string> {
  const shared = new Map<string, string>();
  for (const store of STORES.filter((s) => s.what === 'filter rule')) {
    for (const section of sections) {
      if (section.name !== store.path[0]) continue;
      for (const rule of at(section, store.path.slice(1))?.children ?? []) {
        const iface = isElement(rule) && rule.name === 'rule' ? store.interfaceOf!(rule) : undefined;
        if (iface !== undefined && !managed.has(iface)) shared.set(iface, AMONG_POLICY);
      }
    }
  }
  if (vpc && !shared.has(IPSEC_INTERFACE)) {
    shared.set(
      IPSEC_INTERFACE,
      `where AWS VPC ${vpc.name} (${vpc.cidr}) arrives by the site-to-site VPN: the topology's policy has no rule from the VPC, so the VPC reaches nothing (default deny), ` +
        "and a pass here lets it reach what the policy denies it (the policy tests from the VPC still say deny)",
    );
  }
  return shared;
}

/** Members of each interface group of the base, by group name (legacy lists are space separated, the model's comma separated). */
function groupMembers(root: XmlElement): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const entry of child(root, 'ifgroups')?.children ?? []) {
    if (!isElement(entry) || entry.name !== 'ifgroupentry') continue;
    groups.set(fieldText(entry, 'ifname'), fieldText(entry, 'members').split(/[\s,]+/).filter(Boolean));
  }
  return groups;
}

/**
 * The base's filter rules that stay and still reach the interfaces gen
 * assigns: floating rules and rules on interface groups, which OPNsense
 * evaluates before each interface's own (priorities 200000 and 300000
 * against 400000, Firewall/FieldTypes/FilterRuleField.php and
 * filter.lib.inc), and the rules of a `shared` interface, which run among
 * gen's there (by sequence; a pass after them passes what the policy leaves
 * to the default deny), or stand where the policy has none but denies all. They can pass or block what the policy decides, so
 * merge names them (it keeps them: they may serve interfaces or tunnels gen
 * does not manage).
 */
function warnEarlierRules(root: XmlElement, genUuids: ReadonlySet<string>, managed: ReadonlySet<string>, shared: ReadonlyMap<string, string>, warn: (message: string) => void): void {
  const groups = groupMembers(root);
  for (const store of STORES.filter((s) => s.what === 'filter rule')) {
    for (const rule of at(root, store.path)?.children ?? []) {
      if (!isElement(rule) || rule.name !== 'rule') continue;
      const uuid = attr(rule, 'uuid');
      if ((uuid !== undefined && genUuids.has(uuid)) || fieldText(rule, 'disabled') === '1' || fieldText(rule, 'enabled') === '0') continue;
      const listed = fieldText(rule, 'interface').split(',').filter(Boolean);
      const floating = fieldText(rule, 'floating') !== '' || listed.length !== 1 || fieldText(rule, 'interfacenot') === '1';
      const negated = fieldText(rule, 'interfacenot') === '1';
      const before = (reached: readonly string[]) => `OPNsense evaluates it before the topology's policy on ${reached.join(', ')}, so it can pass or block what the policy decides`;
      let where: string;
      if (floating) {
        // A floating rule on no interface, or on all but some, reaches every interface.
        const reached = listed.length === 0 || negated ? [...managed].filter((k) => !listed.includes(k)) : listed.filter((k) => managed.has(k));
        if (reached.length === 0) continue;
        where = `, floating (${listed.length === 0 ? 'every interface' : `${negated ? 'all but ' : ''}${listed.join(', ')}`}): ${before(reached)}`;
      } else if (shared.has(listed[0]!)) {
        where = ` on ${listed[0]}, ${shared.get(listed[0]!)!}`;
      } else {
        const members = groups.get(listed[0]!);
        const reached = (members ?? []).filter((k) => managed.has(k));
        if (reached.length === 0) continue;
        where = `, interface group ${listed[0]} (${members!.join(', ')}): ${before(reached)}`;
      }
      const descr = fieldText(rule, 'descr') || fieldText(rule, 'description');
      warn(`kept the base's ${store.what}${descr ? ` "${descr}"` : ''}${where}; remove it on the box if the policy should decide there`);
    }
  }
}
