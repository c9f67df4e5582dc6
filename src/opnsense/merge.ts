// Merges gen's OPNsense sections into an operator's config.xml backup; the
// result is restored whole. Everything gen does not manage is written back
// byte for byte. What gen manages (docs/opnsense.md):
// - <interfaces>: the fields gen sets on the keys it assigns;
// - filter and NAT rules of the interfaces it assigns, legacy and MVC (the
//   policy is the whole truth there: default deny);
// - MVC items it generates (same uuid or same natural key, e.g. a VLAN
//   device or a peer name; a box's own item keeps its uuid, and gen's
//   references follow) and stale items of earlier merges (UUIDs with
//   gen's mark, or of version 5: isGenUuid), also of an area the topology
//   dropped whole, with the interface assignments of their devices
//   (dropped.ts); fields gen writes only as the model's
//   default keep the box's value; an instance it takes over keeps its
//   links to the box's own peers (wireguard-peers.ts);
// - the settings it writes (e.g. WireGuard's general switch);
// - <cert> placeholders, only when no certificate with that refid exists
//   (filled with a self-signed stand-in until the ACME client issues it);
//   an ACME certificate of the box's that gen's takes over keeps its id and
//   the refid of the certificate it issued, an account its id (acme-takeover.ts).
// Merging the result again changes nothing.
import { MANAGED_INTERFACE_FIELDS, TUNNEL_FORBIDDEN_FIELDS } from '../render/opnsense/interfaces.js';
import { isGenUuid } from '../render/opnsense/ids.js';
import { LazyElement, type XmlElement, type XmlNode, attr, child, childrenByName, childrenNamed, firstChildren, holdsNoItems, isElement, sameCanonicalText, serializeParts, setAttr, textOf, writesAs } from '../render/opnsense/xml.js';
import { contains, parseAddressWithPrefix, parseIPv4 } from '../net.js';
import { publicKeyOf } from '../targets/wireguard/keys.js';
import { adoptedUuids, naturalKey, renameUuids, staleSuccessors } from './identity.js';
import { withBaseDefaults } from './base-defaults.js';
import { boxPeerLinks } from './wireguard-peers.js';
import { peerTakeovers } from './wireguard-takeovers.js';
import { dropOrphanedAssignments, dropStaleItems, genDevices } from './dropped.js';
import { addToList } from '../arrays.js';
import { type ExpectedAntiLockout, antiLockoutDifferences } from './anti-lockout.js';
import { bindClashes, bindShadows, idleHaproxy, namedBindClashes, wireguardClashes } from './listeners.js';
import { guiConflicts, guiListen, guiUncheckedBinds } from './gui-listeners.js';
import { type JoinedVpc, RULE_STORE_PATHS, clearManagedRules } from './managed-rules.js';
import { warnOutboundModeChange } from './outbound-mode.js';
import { hostOverrideTakeovers } from './unbound-hosts.js';
import { routeTakeovers } from './route-takeovers.js';
import { dnsmasqHostTakeovers } from './dnsmasq-host-takeovers.js';
import { unansweredOverrides } from './unbound-off.js';
import { dnsPortClashes } from './dns-port-clash.js';
import { unansweredFirewallDns } from './firewall-dns-unanswered.js';
import { offPortOverrides } from './unbound-port.js';
import { unheardOverrides } from './unbound-unheard.js';
import { type TunnelDns, dnsFacts, unansweredIscDns, unansweredTunnelDns } from './firewall-dns-clients.js';
import { aclRefusedClients } from './acl-refused-clients.js';
import { ignoredOverrides, withoutWildcardCovered } from './unbound-wildcards.js';
import { laggMemberRefusals, pppLinks } from './links.js';
import { groupRefusals } from './groups.js';
import { vipFindings } from './vips.js';
import { wokenRanges } from './woken-ranges.js';
import { dnsmasqRefusals } from './dnsmasq-refusals.js';
import { haproxyRefusals } from './haproxy-refusals.js';
import { haproxyBinds } from './haproxy-binds.js';
import { sharedMacs } from './dnsmasq-shared-macs.js';
import { linelessHosts } from './dnsmasq-lineless-hosts.js';
import { namedMacs } from './dnsmasq-named-macs.js';
import { dnsmasqEnabled } from './dnsmasq-enabled.js';
import { haProblems } from './ha.js';
import { XmlParseError, XmlUnkeptError, parseXml } from './parse.js';
import { type SelfSigned, selfSignedCertificate } from './selfsigned.js';
import { keepTakenOverAcmeItems } from './acme-takeover.js';
import { assignmentName, fieldText, namesAny, uuidList } from './fields.js';
import { gatewayAddressClashes, gatewaysOf } from './gateway-addresses.js';
import { ITEM_KEYS } from './item-keys.js';
import { dnsmasqOptionOverrides } from './dnsmasq-option-overrides.js';
import { DEFAULT_RELEASE, releaseFacts } from '../targets/opnsense/releases.js';

export class MergeError extends Error {}

/** Base items that are never the same item as gen's: dnsmasq keeps IPv6 ranges (gen's are IPv4) in the same list. */
const OTHER_KIND: Record<string, (item: XmlElement) => boolean> = {
  dhcp_ranges: (item) => fieldText(item, 'start_addr').includes(':'),
};

/** Multiple-value fields that merge keeps the base's entries of. */
const UNION_FIELDS = new Set(['dnsmasq/interface']);

/**
 * Settings where gen's value is only a default: a value the base already
 * has wins, when `wins` says the base really chose it. dnsmasq's port:
 * gen writes 0 (DHCP only, no DNS beside Unbound); a box installed at 25.1
 * or earlier got the dnsmasq model from a migration with an empty <port/>,
 * which OPNsense reads as 53 (Dnsmasq.php init(); its dnsmasq.conf template
 * then writes no port= line), so keeping it would start dnsmasq on Unbound's
 * port 53, where it fails to bind and serves no DHCP; so would a disabled
 * one's 53. Only the port of a dnsmasq the operator already runs is kept.
 */
const BASE_WINS_FIELDS = new Map<string, (section: XmlElement) => boolean>([
  // Only a dnsmasq the operator runs has a port of theirs (set, empty or missing: 53); a disabled one's port is
  // nobody's, and gen's 0 keeps the dnsmasq it enables for DHCP off Unbound's 53.
  ['dnsmasq/port', (section) => dnsmasqEnabled(section)],
]);

function clone(node: XmlElement): XmlElement {
  const copy: XmlElement = {
    name: node.name,
    attrs: node.attrs.map(([k, v]) => [k, v] as [string, string]),
    children: node.children.map((c) => (isElement(c) ? clone(c) : { ...c })),
  };
  if (node.fill) copy.fill = true;
  return copy;
}

/**
 * Whether gen's elements go into the merged tree as they are (the merge owns
 * gen's sections: MergeOptions.ownSections). Set only while mergedConfig
 * runs, which is synchronous: no other merge can run in between.
 */
let sectionsOwned = false;

/**
 * gen's item as it goes into the merged tree: itself when the merge owns
 * gen's sections, else a copy (a caller may merge the same sections again).
 * Only where nothing changes the item afterwards: items put in as they are.
 */
function intoMerged(node: XmlElement): XmlElement {
  return sectionsOwned ? node : clone(node);
}

function touch(node: XmlElement): void {
  delete node.raw;
}

function append(parent: XmlElement, node: XmlElement): XmlElement {
  parent.children.push(node);
  touch(parent);
  return node;
}

function ensureChild(parent: XmlElement, name: string): XmlElement {
  return child(parent, name) ?? append(parent, { name, attrs: [], children: [] });
}

/** Whether gen's items named `name` replace a base item: the same uuid or natural key, or gen's of an earlier merge (one of gen's UUIDs: isGenUuid). */
function replacedBy(name: string, genItems: readonly XmlElement[]): (item: XmlElement) => boolean {
  const keys = ITEM_KEYS[name] ?? [['name']];
  const genUuids = new Set(genItems.map((g) => attr(g, 'uuid')));
  // gen's natural keys, looked up per base item (a search of gen's items made base × gen).
  const genKeys = keys.map((fields) => new Set(genItems.map((g) => naturalKey(g, fields)).filter((k) => k !== undefined)));
  const sameKey = (item: XmlElement) =>
    !OTHER_KIND[name]?.(item) &&
    keys.some((fields, k) => {
      const key = naturalKey(item, fields);
      return key !== undefined && genKeys[k]!.has(key);
    });
  return (item) => {
    const uuid = attr(item, 'uuid');
    return genUuids.has(uuid) || isGenUuid(uuid) || sameKey(item);
  };
}

/**
 * Replaces the base's items named `name` that gen generates (same uuid or
 * natural key) or generated before (gen's UUID: isGenUuid) by gen's items,
 * at the place of the first one. Unchanged items keep their source text.
 */
function mergeItems(base: XmlElement, name: string, genItems: XmlElement[], isManaged: (item: XmlElement) => boolean = () => false): void {
  const replaced = replacedBy(name, genItems);
  const removed = new Map<string, XmlElement>();
  let first = -1;
  const kept: XmlNode[] = [];
  base.children.forEach((c) => {
    if (isElement(c) && c.name === name) {
      const uuid = attr(c, 'uuid');
      if (replaced(c) || isManaged(c)) {
        if (first < 0) first = kept.length;
        if (uuid) removed.set(uuid, c);
        return;
      }
    }
    kept.push(c);
  });
  const replacement = genItems.map((g) => {
    const previous = removed.get(attr(g, 'uuid') ?? '');
    if (!previous) return intoMerged(g);
    // The base's item as gen writes it now (a merge into its own result): kept, and its fields never made (parse.ts, lazyItems).
    if (previous instanceof LazyElement && previous.unmade && previous.raw !== undefined && writesAs(g, previous.raw)) return previous;
    // Compared before anything is copied: a merge into its own result keeps nearly every item.
    const item = withBaseDefaults(g, previous);
    if (!sameCanonicalText(previous, item)) return intoMerged(item);
    // Kept as it was read: its fields, made for the comparison, go (a merge into its own result keeps 200,000 rules).
    if (previous instanceof LazyElement) previous.release();
    return previous;
  });
  if (first < 0) {
    const lastSame = kept.map((c) => isElement(c) && c.name === name).lastIndexOf(true);
    first = lastSame >= 0 ? lastSame + 1 : kept.length;
  }
  const next = [...kept.slice(0, first), ...replacement, ...kept.slice(first)];
  // Same items in the same place: leave the base's text alone.
  if (next.length === base.children.length && next.every((c, i) => c === base.children[i])) return;
  base.children = next;
  touch(base);
}

function changed(node: XmlElement): boolean {
  if (node instanceof LazyElement && node.unmade) return node.raw === undefined;
  return node.raw === undefined || node.children.some((c) => isElement(c) && changed(c));
}

/** Merges a generated subtree into the base's element of the same name. */
function mergeTree(base: XmlElement, gen: XmlElement, path: string): void {
  mergeTreeContent(base, gen, path);
  // A model root whose content changed: its persisted_at (the key of
  // OPNsense's model cache) no longer describes it. Only model roots carry
  // one, also where gen writes its root without a version (Unbound's).
  if (attr(base, 'persisted_at') !== undefined && changed(base)) {
    base.attrs = base.attrs.filter(([k]) => k !== 'persisted_at');
    touch(base);
  }
}

function mergeTreeContent(base: XmlElement, gen: XmlElement, path: string): void {
  for (const [k, v] of gen.attrs) {
    if (k === 'version') {
      const have = attr(base, 'version');
      // A section without a version (the factory <dnsmasq>, the 26.7 factory
      // filter rules) is the box's to migrate on its first boot: left as is.
      if (have === undefined) continue;
      if (have !== v) {
        throw new MergeError(
          `the base's <${path}> model is version ${have}, but the topology's OPNsense release writes version ${v}: set firewall.release to the release the box runs`,
        );
      }
    }
    if (attr(base, k) !== v) setAttr(base, k, v);
  }
  const names = [...new Set(gen.children.filter(isElement).map((c) => c.name))];
  // A model gen writes with no items now (every static route dropped): the base's own items stay, gen's of earlier merges go.
  if (names.length === 0) dropEarlierItems(base);
  // Decided on the base as it came, before gen's values replace any of its fields.
  const baseWins = new Set(names.filter((name) => BASE_WINS_FIELDS.get(`${path}/${name}`)?.(base) === true));
  for (const name of names) {
    const items = childrenNamed(gen, name);
    if (items.some((i) => attr(i, 'uuid') !== undefined)) {
      mergeItems(base, name, items);
      continue;
    }
    for (const item of items) {
      const existing = child(base, name);
      const fieldPath = `${path}/${name}`;
      if (baseWins.has(name)) {
        continue;
      } else if (!existing) {
        append(base, clone(item));
      } else if (item.fill) {
        continue;
      } else if (item.children.some(isElement)) {
        mergeTree(existing, item, fieldPath);
      } else if (existing.children.some(isElement)) {
        // An empty generated container: the base's own items stay, items of earlier merges go.
        dropEarlierItems(existing);
      } else if (UNION_FIELDS.has(fieldPath)) {
        const values = [...textOf(existing).split(','), ...textOf(item).split(',')].map((v) => v.trim()).filter(Boolean);
        const union = [...new Set(values)].join(',');
        if (union !== textOf(existing)) replaceChild(base, existing, { name, attrs: [], children: [{ text: union }] });
      } else if (!sameCanonicalText(existing, item)) {
        replaceChild(base, existing, clone(item));
      }
    }
  }
}


/**
 * The box's own static routes and gateway groups naming a gateway of an
 * earlier merge that this merge removed (the topology dropped its next
 * hop): they name nothing now, and OPNsense refuses the model until it is
 * changed.
 */
function reportOrphanedRoutes(root: XmlElement, dropped: readonly string[], warn: (message: string) => void): void {
  const left = new Set(gatewaysOf(root).map((g) => fieldText(g, 'name')));
  const gone = new Set(dropped.filter((name) => name !== '' && !left.has(name)));
  if (gone.size === 0) return;
  for (const route of childrenNamed(child(root, 'staticroutes'), 'route')) {
    const gateway = fieldText(route, 'gateway');
    if (!gone.has(gateway) || isGenUuid(attr(route, 'uuid'))) continue;
    warn(
      `the box's static route to ${fieldText(route, 'network')} goes through gateway ${gateway}, which an earlier merge wrote and the topology no longer has: ` +
        'the route names no gateway now, and OPNsense refuses the routes until it is changed; give it another gateway (System › Routes › Configuration), or put the next hop back in the topology',
    );
  }
  // Gateway groups name their gateways in item…item5 (26.7: comma separated; up to 26.1 one <item> each, "name|tier|vip").
  for (const group of childrenNamed(child(root, 'gateways'), 'gateway_group')) {
    const named = group.children.filter(isElement).filter((c) => /^item[2-5]?$/.test(c.name)).flatMap((c) => textOf(c).split(','));
    for (const gateway of new Set(named.map((n) => n.split('|')[0]!.trim()).filter((n) => gone.has(n)))) {
      warn(
        `the box's gateway group ${fieldText(group, 'name')} names gateway ${gateway}, which an earlier merge wrote and the topology no longer has: ` +
          `the group has no such member now (and from 26.7 OPNsense's gateway group model refuses it until it is changed); remove it from the group (System › Gateways › Group), or put the next hop back in the topology`,
      );
    }
  }
}

/** Removes the items of earlier merges (gen's UUIDs) from a container gen writes empty. */
function dropEarlierItems(container: XmlElement): void {
  const kept = container.children.filter((c) => !(isElement(c) && isGenUuid(attr(c, 'uuid'))));
  if (kept.length === container.children.length) return;
  container.children = kept;
  touch(container);
}

function replaceChild(parent: XmlElement, old: XmlElement, node: XmlElement): void {
  parent.children[parent.children.indexOf(old)] = node;
  touch(parent);
}

function removeChild(parent: XmlElement, old: XmlElement): void {
  parent.children = parent.children.filter((c) => c !== old);
  touch(parent);
}

/** Removes those of `gone` that are children of `parent`, if any. */
function removeChildren(parent: XmlElement, gone: ReadonlySet<XmlNode>): void {
  const kept = parent.children.filter((c) => !gone.has(c));
  if (kept.length === parent.children.length) return;
  parent.children = kept;
  touch(parent);
}

function mergeInterfaces(root: XmlElement, gen: XmlElement, warn: (message: string) => void, pppKept: ReadonlySet<string>): void {
  const base = ensureChild(root, 'interfaces');
  const genEntries = gen.children.filter(isElement);
  // The base's assignments gen does not write, by device (looked up per gen entry).
  const genNames = new Set(genEntries.map((e) => e.name));
  const othersByDevice = new Map<string, XmlElement[]>();
  for (const b of base.children.filter(isElement)) if (!genNames.has(b.name)) addToList(othersByDevice, fieldText(b, 'if'), b);
  for (const g of genEntries) {
    const device = fieldText(g, 'if');
    // Names gen writes are not in othersByDevice: any entry there is another assignment.
    const other = othersByDevice.get(device)?.[0];
    if (other) {
      throw new MergeError(
        `the base assigns device ${device} to ${assignmentName(other)}, but the topology assigns it to ${g.name}: ` +
          `set "assign: ${other.name}" on that interface in the topology, or remove the assignment from the backup`,
      );
    }
  }
  // Two keys gen writes whose devices the box has the other way round: the
  // merge would move each device to the other key, and what the box keeps
  // per key (DHCP ranges, Unbound and NAT interfaces, IPv6 settings) would
  // follow the key onto the other network.
  const genKeyOf = new Map(genEntries.map((g) => [fieldText(g, 'if'), g.name]));
  for (const b of base.children.filter(isElement)) {
    if (!genNames.has(b.name)) continue;
    const device = fieldText(b, 'if');
    const genKey = genKeyOf.get(device);
    if (device !== '' && genKey !== undefined && genKey !== b.name) {
      throw new MergeError(
        `the base assigns device ${device} to ${assignmentName(b)}, but the topology assigns it to ${genKey}: ` +
          `set "assign: ${b.name}" on that interface in the topology (and give the interface it assigns to ${b.name} the key the box uses for its device), ` +
          `or remove the assignment from the backup; a merge would move ${device} to ${genKey}, and the box's settings of ${b.name} to another network`,
      );
    }
  }
  // The base's entry of each key, as child() finds it (read once, not searched per entry of gen's).
  const entries = firstChildren(base);
  for (const g of genEntries) {
    const existing = entries.get(g.name);
    if (!existing) {
      entries.set(g.name, append(base, clone(g)));
      continue;
    }
    // A PPP link the box runs on the key stays (links.ts): its device and address type are the link's.
    const managed = [...MANAGED_INTERFACE_FIELDS, ...(fieldText(g, 'if').startsWith('wg') ? TUNNEL_FORBIDDEN_FIELDS : [])].filter(
      (field) => !(pppKept.has(g.name) && (field === 'if' || field === 'ipaddr')),
    );
    for (const field of managed) {
      const want = child(g, field);
      const have = child(existing, field);
      if (want && have) {
        if (!sameCanonicalText(want, have)) replaceChild(existing, have, clone(want));
      } else if (want) {
        append(existing, clone(want));
      } else if (have) {
        // An MTU is a fact of the link (PPPoE's 1492) that the topology may simply not state: say what goes.
        if (field === 'mtu' && textOf(have).trim() !== '') {
          warn(`removed the base's MTU ${textOf(have).trim()} of ${assignmentName(existing)}: the topology sets none for it (set mtu: ${textOf(have).trim()} on that interface to keep it)`);
        }
        removeChild(existing, have);
      }
    }
    // The topology has no IPv6, and gen's policy on the key replaces the
    // box's rules (the factory LAN's IPv6 allow rule too): hosts there still
    // get IPv6 addresses and a route by router advertisement, and every
    // packet they send over it is dropped. The WAN's own IPv6 harms nobody.
    const v6 = fieldText(existing, 'ipaddrv6');
    if (v6 !== '' && v6 !== 'none' && g.name !== 'wan') {
      warn(
        `the base configures IPv6 on ${assignmentName(existing)} (${v6}), which the topology does not cover: gen's rules there pass IPv4 only, so its hosts get IPv6 addresses whose traffic the firewall drops; ` +
          `set its IPv6 Configuration Type to None (Interfaces › ${fieldText(existing, 'descr') || g.name})`,
      );
    }
  }
}

/**
 * A base VLAN on the same parent and tag under another device name is
 * replaced; refuse when an assignment gen does not manage still uses it.
 */
function checkVlans(root: XmlElement, gen: XmlElement, managedKeys: ReadonlySet<string>): void {
  // The first assignment gen does not manage of each device (looked up per replaced VLAN, not searched).
  const userOf = new Map<string, XmlElement>();
  for (const a of child(root, 'interfaces')?.children.filter(isElement) ?? []) {
    const device = fieldText(a, 'if');
    if (!managedKeys.has(a.name) && !userOf.has(device)) userOf.set(device, a);
  }
  // The base's VLANs by parent and tag (looked up per gen VLAN, not searched: gen × base).
  const baseVlans = new Map<string, XmlElement[]>();
  const parentAndTag = (vlan: XmlElement) => JSON.stringify([fieldText(vlan, 'if'), fieldText(vlan, 'tag')]);
  const byDevice = new Map<string, XmlElement>();
  for (const old of childrenNamed(child(root, 'vlans'), 'vlan')) {
    addToList(baseVlans, parentAndTag(old), old);
    byDevice.set(fieldText(old, 'vlanif'), old);
  }
  for (const vlan of childrenNamed(gen, 'vlan')) {
    // The box's own VLAN under gen's device name is another VLAN (another parent or tag): taking it over would move it.
    const named = byDevice.get(fieldText(vlan, 'vlanif'));
    if (named && !isGenUuid(attr(named, 'uuid')) && parentAndTag(named) !== parentAndTag(vlan)) {
      const descr = fieldText(named, 'descr');
      throw new MergeError(
        `the base has a VLAN device ${fieldText(named, 'vlanif')}${descr ? ` (${descr})` : ''}, tag ${fieldText(named, 'tag')} on ${fieldText(named, 'if')}, but the topology's ${fieldText(vlan, 'vlanif')} is tag ${fieldText(vlan, 'tag')} on ${fieldText(vlan, 'if')}; ` +
          'OPNsense keeps device names unique, and a merge would move the box\'s VLAN: rename or remove it in the backup (Interfaces › Devices › VLAN)',
      );
    }
    for (const old of baseVlans.get(parentAndTag(vlan)) ?? []) {
      const device = fieldText(old, 'vlanif');
      if (device === fieldText(vlan, 'vlanif')) continue;
      const user = userOf.get(device);
      if (user) {
        throw new MergeError(
          `the base has VLAN ${fieldText(vlan, 'tag')} on ${fieldText(vlan, 'if')} as ${device}, assigned to ${assignmentName(user)}; the topology names it ${fieldText(vlan, 'vlanif')}: ` +
            `assign that interface in the topology, or remove the assignment from the backup`,
        );
      }
    }
  }
}

/** Filter and NAT rules: gen's rules in place of the base's rules of the interfaces gen assigns (cleared before, clearManagedRules). */
function mergeRules(root: XmlElement, gen: XmlElement): void {
  const base = ensureChild(root, gen.name);
  mergeItems(base, 'rule', childrenNamed(gen, 'rule'));
  if (gen.name === 'filter') mergeScrub(base, child(gen, 'scrub'));
  for (const other of gen.children.filter(isElement).filter((c) => c.name !== 'rule' && c.name !== 'scrub')) {
    const existing = child(base, other.name);
    if (existing) mergeTree(existing, other, `${gen.name}/${other.name}`);
    else append(base, clone(other));
  }
}

/**
 * Normalization rules: gen's replace those it wrote before, also when a
 * GUI save dropped their uuid (their description starts with "gen: ");
 * the operator's own stay where they are.
 */
function mergeScrub(filter: XmlElement, gen: XmlElement | undefined): void {
  const base = child(filter, 'scrub');
  const ours = (rule: XmlElement) => fieldText(rule, 'descr').startsWith('gen: ');
  if (!base) {
    if (gen) append(filter, clone(gen));
    return;
  }
  mergeItems(base, 'rule', childrenNamed(gen, 'rule'), ours);
}

/**
 * Settings of an ISC DHCP entry the topology has no word for: the router
 * handed out (<gateway>, on an HA pair the CARP VIP) and the failover peer
 * and split (net/isc-dhcp's dhcpd.inc writes "option routers" from
 * <gateway>, else the interface's own address, and the failover peer from
 * <failover_peerip>/<failover_split>). The DNS servers too, unless the
 * topology names some (dhcp.dns).
 */
const BASE_DHCPD_FIELDS = ['gateway', 'failover_peerip', 'failover_split'];

/** Gen's entry of one interface with the base's settings the topology says nothing of. */
function withBaseDhcpd(existing: XmlElement, g: XmlElement): XmlElement {
  const entry = clone(g);
  const kept = child(g, 'dnsserver') ? BASE_DHCPD_FIELDS : BASE_DHCPD_FIELDS.concat('dnsserver');
  for (const field of existing.children.filter(isElement)) if (kept.includes(field.name) && !child(g, field.name)) append(entry, clone(field));
  return entry;
}

function mergeIscDhcp(root: XmlElement, gen: XmlElement): void {
  const base = ensureChild(root, 'dhcpd');
  // The position of the base's entry of each key, as child() finds it: read once, not searched per entry of gen's
  // (nor searched again to replace it). Entries are replaced in place and added at the end: positions hold.
  const at = new Map<string, number>();
  base.children.forEach((c, position) => {
    if (isElement(c) && !at.has(c.name)) at.set(c.name, position);
  });
  for (const g of gen.children.filter(isElement)) {
    const position = at.get(g.name);
    const existing = position === undefined ? undefined : (base.children[position] as XmlElement);
    if (!existing) {
      append(base, clone(g));
      at.set(g.name, base.children.length - 1);
    } else if (!sameCanonicalText(existing, g)) {
      base.children[position!] = withBaseDhcpd(existing, g);
      touch(base);
    }
  }
  // One DHCP server per interface: drop dnsmasq ranges of these interfaces (in one pass, not one per range).
  const dnsmasq = child(root, 'dnsmasq');
  const keys = new Set(gen.children.filter(isElement).map((c) => c.name));
  const gone = new Set<XmlNode>(childrenNamed(dnsmasq, 'dhcp_ranges').filter((range) => keys.has(fieldText(range, 'interface'))));
  if (gone.size > 0) removeChildren(dnsmasq!, gone);
}

/**
 * One DHCP server per interface: the ISC entries of the interfaces gen's
 * dnsmasq ranges serve go, the first of each key per range (as child()
 * finds it), removed in one pass rather than a search and a copy per range.
 */
function dropIscEntries(root: XmlElement, dnsmasq: XmlElement): void {
  const dhcpd = child(root, 'dhcpd');
  if (!dhcpd) return;
  const entries = childrenByName(dhcpd);
  const gone = new Set<XmlNode>();
  for (const range of childrenNamed(dnsmasq, 'dhcp_ranges')) {
    // A second range of one interface takes the next entry of its key, as a search after the first was removed did.
    const old = entries.get(fieldText(range, 'interface'))?.shift();
    if (old) gone.add(old);
  }
  if (gone.size > 0) removeChildren(dhcpd, gone);
}

/**
 * DHCP the base serves on an interface gen readdresses, for a network the
 * interface no longer has: ISC dhcpd would refuse to start (for every
 * interface), dnsmasq would serve nothing there. Such entries are removed,
 * with a warning; entries inside the new network stay.
 */
function dropStaleDhcp(root: XmlElement, genInterfaces: XmlElement | undefined, options: MergeOptions): void {
  const dhcpd = child(root, 'dhcpd');
  const dnsmasq = child(root, 'dnsmasq');
  // The base's ISC entries by key and dnsmasq ranges by interface, read once (not searched per interface of gen's).
  const iscEntries = firstChildren(dhcpd);
  const ranges = new Map<string, XmlElement[]>();
  for (const r of childrenNamed(dnsmasq, 'dhcp_ranges')) addToList(ranges, fieldText(r, 'interface'), r);
  const gone = new Set<XmlElement>();
  for (const iface of genInterfaces?.children.filter(isElement) ?? []) {
    const parsed = parseAddressWithPrefix(`${fieldText(iface, 'ipaddr')}/${fieldText(iface, 'subnet')}`);
    if (!parsed) continue;
    // Only IPv4 ranges: dnsmasq keeps IPv6 ranges in the same list.
    const outside = (address: string) => {
      const value = parseIPv4(address);
      return value !== undefined && !contains(parsed.block, value);
    };
    const stale = (from: string, to: string) => parseIPv4(from) !== undefined && (outside(from) || outside(to));
    const say = (from: string, to: string, server: string) =>
      options.warn?.(`removed the base's ${server} range ${from}-${to} on ${iface.name}: it lies outside ${iface.name}'s network ${parsed.block.cidr} in the topology`);
    const isc = iscEntries.get(iface.name);
    const range = child(isc, 'range');
    if (isc && range && stale(fieldText(range, 'from'), fieldText(range, 'to'))) {
      say(fieldText(range, 'from'), fieldText(range, 'to'), 'ISC DHCP');
      gone.add(isc);
    }
    for (const r of ranges.get(iface.name) ?? []) {
      if (!stale(fieldText(r, 'start_addr'), fieldText(r, 'end_addr'))) continue;
      say(fieldText(r, 'start_addr'), fieldText(r, 'end_addr'), 'dnsmasq DHCP');
      gone.add(r);
    }
  }
  // Removed in one pass each (not one per entry: the entries × the list).
  if (gone.size > 0) for (const parent of [dhcpd, dnsmasq]) if (parent) removeChildren(parent, gone);
}

/** Inserts `position` into an ascending list of positions. */
function insertSorted(list: number[], position: number): void {
  let at = list.length;
  while (at > 0 && list[at - 1]! > position) at--;
  list.splice(at, 0, position);
}

/** The list of positions of `key`, made empty if there is none. */
function positionsOf<K>(lists: Map<K, number[]>, key: K): number[] {
  const list = lists.get(key);
  if (list) return list;
  const made: number[] = [];
  lists.set(key, made);
  return made;
}

/** Removes `position` from a list of positions. */
function removeFrom(list: number[] | undefined, position: number): void {
  const at = list?.indexOf(position) ?? -1;
  if (at >= 0) list!.splice(at, 1);
}

/**
 * The base's <cert> elements as gen's are merged in, one section at a time
 * (each sees those merged before it). They are found by refid and uuid in
 * maps of their positions, not by a search of the root per certificate of
 * gen's, and the root is rewritten once at the end: a search and a copy of
 * the root's children per certificate made the work certificates × the
 * root's children.
 */
class CertMerge {
  /** The base's certificates as it came. */
  private readonly base: XmlElement[];
  /** The certificates now, in document order: the base's (or what replaced them), then those added. */
  private readonly certs: XmlElement[];
  /** Positions in `certs`, ascending, by refid and by uuid (undefined: none). */
  private readonly byRefid = new Map<string, number[]>();
  private readonly byUuid = new Map<string | undefined, number[]>();
  /** The ACME certificate of gen's that renews each refid (the first). */
  private readonly acme = new Map<string, XmlElement>();
  /** Where the added certificates go in the root when the base has none: its end at the first. */
  private end = -1;

  constructor(
    private readonly root: XmlElement,
    sections: readonly XmlElement[],
    private readonly options: MergeOptions,
  ) {
    this.base = childrenNamed(root, 'cert');
    this.certs = this.base.slice();
    this.certs.forEach((c, position) => this.index(c, position));
    for (const section of sections) {
      for (const c of childrenNamed(child(child(section, 'AcmeClient'), 'certificates'), 'certificate')) {
        const refid = fieldText(c, 'certRefId');
        if (!this.acme.has(refid)) this.acme.set(refid, c);
      }
    }
  }

  private index(cert: XmlElement, position: number): void {
    insertSorted(positionsOf(this.byRefid, fieldText(cert, 'refid')), position);
    insertSorted(positionsOf(this.byUuid, attr(cert, 'uuid')), position);
  }

  private unindex(cert: XmlElement, position: number): void {
    removeFrom(this.byRefid.get(fieldText(cert, 'refid')), position);
    removeFrom(this.byUuid.get(attr(cert, 'uuid')), position);
  }

  /** The names of the ACME certificate that renews the <cert> with `refid`. */
  private acmeNames(refid: string): string[] {
    const acme = this.acme.get(refid);
    if (!acme) return [];
    return [fieldText(acme, 'name')].concat(fieldText(acme, 'altNames').split(',')).filter(Boolean);
  }

  merge(gen: XmlElement): void {
    const refid = fieldText(gen, 'refid');
    // An issued certificate with this refid wins over the placeholder; one an earlier merge wrote takes the UUID gen
    // gives it now (earlier versions of gen wrote version 5, which OPNsense does not take for a UUID).
    const issuedAt = this.byRefid.get(refid)?.[0];
    if (issuedAt !== undefined) {
      const issued = this.certs[issuedAt]!;
      const uuid = attr(gen, 'uuid');
      if (uuid !== undefined && attr(issued, 'uuid') !== uuid && isGenUuid(attr(issued, 'uuid'))) {
        this.unindex(issued, issuedAt);
        setAttr(issued, 'uuid', uuid);
        this.index(issued, issuedAt);
      }
      return;
    }
    const cert = clone(gen);
    // HAProxy does not start on an empty certificate: a self-signed stand-in
    // until the ACME client replaces it in place (same refid).
    const names = this.acmeNames(refid);
    if (names.length > 0 && fieldText(cert, 'crt') === '') {
      const standIn = (this.options.standIn ?? selfSignedCertificate)(names);
      for (const [field, pem] of [['crt', standIn.certificatePem], ['prv', standIn.privateKeyPem]] as const) {
        const node = child(cert, field);
        if (node) node.children = [{ text: Buffer.from(pem).toString('base64') }];
      }
    }
    const sameUuidAt = this.byUuid.get(attr(gen, 'uuid'))?.[0];
    if (sameUuidAt !== undefined) {
      this.unindex(this.certs[sameUuidAt]!, sameUuidAt);
      this.certs[sameUuidAt] = cert;
      this.index(cert, sameUuidAt);
      return;
    }
    // After the last certificate: the base's last, or the end of the root as it is now when the base has none.
    if (this.base.length === 0 && this.end < 0) this.end = this.root.children.length;
    this.index(cert, this.certs.push(cert) - 1);
  }

  /** Puts the certificates into the root: each in its place, the added after the base's last. */
  finish(): void {
    const added = this.certs.slice(this.base.length);
    const replaced = new Map<XmlNode, XmlElement>();
    this.base.forEach((c, position) => {
      if (this.certs[position] !== c) replaced.set(c, this.certs[position]!);
    });
    if (added.length === 0 && replaced.size === 0) return;
    const children = this.root.children.map((c) => replaced.get(c) ?? c);
    const at = this.base.length > 0 ? this.root.children.indexOf(this.base[this.base.length - 1]!) + 1 : this.end;
    this.root.children = children.slice(0, at).concat(added, children.slice(at));
    touch(this.root);
  }
}

export interface MergeOptions {
  /** The private key for a placeholder (its path relative to the secrets directory), if there is one. */
  secret(relative: string): string | undefined;
  placeholderPrefix: string;
  /** Problems the merged file would meet on the box that are not gen's to fix (e.g. in <system>). */
  warn?(message: string): void;
  /** Makes the stand-in for a certificate not issued yet (default: a new self-signed one). */
  standIn?(names: readonly string[]): SelfSigned;
  /** What the topology says of OPNsense's anti-lockout rule: the merge warns where the merged configuration differs. */
  antiLockout?: ExpectedAntiLockout;
  /**
   * The AWS VPC the site-to-site VPN joins to this site: the box's own rules
   * on enc0, where its traffic arrives, stay (other IPsec tunnels share it),
   * and merge names them even where the policy writes nothing there.
   */
  joinedVpc?: JoinedVpc;
  /** gen's WireGuard instances whose client files name DNS servers: merge says where no resolver of the box answers them. */
  tunnelDns?: readonly TunnelDns[];
  /** Merge although an HAProxy frontend and the web GUI cannot both have a port (only warn). */
  allowGuiPortConflict?: boolean;
  /** Merge into a node of an HA pair, which the topology cannot describe (only warn). */
  allowHa?: boolean;
  /**
   * The OPNsense release the box runs, as the topology names it (firewall.release; DEFAULT_RELEASE when absent):
   * its dnsmasq package decides what the box answers for gen's names (dnsmasq-answer.ts).
   */
  release?: string;
  /**
   * gen's sections are the merge's to keep: their items go into the merged
   * tree as they are, not copied (a 100,000-peer merge held both, 1 GB).
   * Only for sections made for this one merge, never merged again.
   */
  ownSections?: boolean;
}

/**
 * A TLS backend verified against a CA names it by refid: the CA must be in
 * the backup's trust store, or OPNsense refuses the HAProxy settings
 * ("Please select one or more CAs from the list").
 */
function checkServerCas(root: XmlElement, sections: readonly XmlElement[]): void {
  const cas = new Set(childrenNamed(root, 'ca').map((ca) => fieldText(ca, 'refid')));
  const servers = sections.filter((s) => s.name === 'OPNsense').flatMap((s) => childrenNamed(child(child(s, 'HAProxy'), 'servers'), 'server'));
  for (const server of servers) {
    for (const refid of fieldText(server, 'sslCA').split(',').filter(Boolean)) {
      if (!cas.has(refid)) {
        throw new MergeError(`HAProxy server ${fieldText(server, 'name')} is to verify its certificate against CA ${refid}, which the base has not (System > Trust > Authorities lists each CA's refid)`);
      }
    }
  }
}

const WG_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/**
 * gen's sections with each WireGuard server's private key filled in from
 * the secrets directory. The elements on the way to a key are copied:
 * gen's sections are the caller's, and share their fields.
 */
function fillSecrets(root: XmlElement, sections: readonly XmlElement[], options: MergeOptions): XmlElement[] {
  const baseServers = childrenNamed(child(child(child(child(root, 'OPNsense'), 'wireguard'), 'server'), 'servers'), 'server');
  // The first of the box's instances with each UUID and each name (looked up per instance of gen's, not searched).
  let firstByUuid: Map<string | undefined, number> | undefined;
  let firstByName: Map<string, number> | undefined;
  const previousOf = (item: XmlElement): XmlElement | undefined => {
    if (!firstByUuid || !firstByName) {
      firstByUuid = new Map();
      firstByName = new Map();
      baseServers.forEach((b, position) => {
        if (!firstByUuid!.has(attr(b, 'uuid'))) firstByUuid!.set(attr(b, 'uuid'), position);
        if (!firstByName!.has(fieldText(b, 'name'))) firstByName!.set(fieldText(b, 'name'), position);
      });
    }
    // The first that has either, as a search for one with the same UUID or name found.
    return baseServers[Math.min(firstByUuid.get(attr(item, 'uuid')) ?? Infinity, firstByName.get(fieldText(item, 'name')) ?? Infinity)];
  };
  return sections.map((section) => {
    if (section.name !== 'OPNsense') return section;
    // OPNsense/wireguard/server (the model's root)/servers/server (an instance).
    const wireguard = child(section, 'wireguard');
    const serverRoot = child(wireguard, 'server');
    const servers = child(serverRoot, 'servers');
    // Each instance's key element, and the element with the key filled in.
    const filled = new Map<XmlElement, XmlElement>();
    for (const item of childrenNamed(servers, 'server')) {
      const key = child(item, 'privkey');
      const text = textOf(key);
      if (!key || !text.startsWith(options.placeholderPrefix)) continue;
      const relative = text.slice(options.placeholderPrefix.length);
      let value = options.secret(relative);
      if (value === undefined) {
        // Already on the box from an earlier merge: keep it.
        const previous = previousOf(item);
        const kept = previous && fieldText(previous, 'privkey');
        if (kept && WG_KEY.test(kept)) value = kept;
      }
      if (value === undefined) {
        throw new MergeError(`no private key for WireGuard instance ${fieldText(item, 'name')}: expected ${relative} in the secrets directory`);
      }
      if (!WG_KEY.test(value)) throw new MergeError(`${relative} in the secrets directory is not a WireGuard key (44 characters of base64)`);
      const publicKey = fieldText(item, 'pubkey');
      if (publicKey !== '' && publicKeyOf(value) !== publicKey) {
        throw new MergeError(`the private key for ${relative} does not belong to the public_key of instance ${fieldText(item, 'name')} in the topology`);
      }
      filled.set(key, { name: key.name, attrs: [...key.attrs], children: [{ text: value }] });
    }
    // A peer's pre-shared key (preshared_key): from the secrets directory only. Unlike an instance's private key, whose
    // public key the topology names, nothing tells a kept psk from another, and a wrong one fails every handshake.
    const clients = childrenNamed(child(child(wireguard, 'client'), 'clients'), 'client');
    for (const item of clients) {
      const key = child(item, 'psk');
      const text = textOf(key);
      if (!key || !text.startsWith(options.placeholderPrefix)) continue;
      const relative = text.slice(options.placeholderPrefix.length);
      const name = fieldText(item, 'name');
      const value = options.secret(relative);
      if (value === undefined) {
        throw new MergeError(`no pre-shared key for WireGuard peer ${name}, which has preshared_key in the topology: expected ${relative} in the secrets directory (gen wg psk ${name} makes it; then export its client file again)`);
      }
      // OPNsense's psk is a Base64Field (Client.xml), which takes base64 of any length; wg(8) takes only a 32-byte key.
      if (!WG_KEY.test(value)) throw new MergeError(`${relative} in the secrets directory is not a WireGuard pre-shared key (44 characters of base64, as wg genpsk prints): gen wg psk ${name} --force makes a new one`);
      filled.set(key, { name: key.name, attrs: [...key.attrs], children: [{ text: value }] });
    }
    if (filled.size === 0) return section;
    const fill = (item: XmlNode): XmlNode => {
      if (!isElement(item) || !item.children.some((c) => filled.has(c as XmlElement))) return item;
      return Object.assign({}, item, { children: item.children.map((c) => filled.get(c as XmlElement) ?? c) });
    };
    return withWireguardItems(withWireguardItems(section, 'server', fill), 'client', fill);
  });
}

/**
 * gen's OPNsense section with its WireGuard instances (`server`) or peers (`client`), and whatever else is in their
 * list, mapped by `change`: the elements on the way are copied, as gen's sections are the caller's and share their
 * fields.
 */
function withWireguardItems(section: XmlElement, model: 'server' | 'client', change: (item: XmlNode) => XmlNode): XmlElement {
  const wireguard = child(section, 'wireguard');
  const modelRoot = child(wireguard, model);
  const list = child(modelRoot, `${model}s`);
  if (!list) return section;
  return replacedAlong(section, [wireguard!, modelRoot!, list], Object.assign({}, list, { children: list.children.map(change) }));
}

/** gen's sections with the pre-shared keys of the box's peers gen's take over (wireguard-takeovers.ts). */
function keepPresharedKeys(root: XmlElement, sections: XmlElement[], warn: (message: string) => void): XmlElement[] {
  const kept = peerTakeovers(root, sections, warn);
  if (kept.size === 0) return sections;
  return sections.map((section) =>
    section.name !== 'OPNsense'
      ? section
      : withWireguardItems(section, 'client', (item) => {
          const psk = isElement(item) ? kept.get(item) : undefined;
          return psk === undefined ? item : withField(item as XmlElement, { name: 'psk', attrs: [], children: [{ text: psk }] });
        }),
  );
}

/** A copy of `item` with `field` in place of its field of that name (or added). */
function withField(item: XmlElement, field: XmlElement): XmlElement {
  const old = child(item, field.name);
  return Object.assign({}, item, { children: old ? item.children.map((c) => (c === old ? field : c)) : item.children.concat(field) });
}

/**
 * Keeps the box's own peers on the instances gen takes over, and removes
 * the box's clients that hold a topology peer's earlier key
 * (wireguard-peers.ts): gen's sections with the longer `peers` lists.
 */
function keepBoxPeers(root: XmlElement, sections: XmlElement[], warn: (message: string) => void): XmlElement[] {
  const links = boxPeerLinks(root, sections, replacedBy, warn);
  const clients = child(child(child(child(root, 'OPNsense'), 'wireguard'), 'client'), 'clients');
  // In one pass (a copy of the list per client removed made the work clients × clients).
  if (links.remove.length > 0) removeChildren(clients!, new Set<XmlNode>(links.remove));
  if (links.peers.size === 0) return sections;
  return sections.map((section) =>
    section.name !== 'OPNsense'
      ? section
      : withWireguardItems(section, 'server', (item) => {
          const list = isElement(item) ? links.peers.get(item) : undefined;
          return list === undefined ? item : withField(item as XmlElement, { name: 'peers', attrs: [], children: [{ text: list }] });
        }),
  );
}

/**
 * `node` with the last element of `chain` (each a child of the one before,
 * the first a child of `node`) replaced by `replacement`: a copy of each
 * element on the way, sharing everything else.
 */
function replacedAlong(node: XmlElement, chain: readonly XmlElement[], replacement: XmlElement): XmlElement {
  const [next, ...rest] = chain;
  if (!next) return replacement;
  return Object.assign({}, node, { children: node.children.map((c) => (c === next ? replacedAlong(next, rest, replacement) : c)) });
}

/** The aliases under `node` (elements <alias> with a uuid), by UUID. */
function aliasesByUuid(node: XmlElement | undefined, out = new Map<string, XmlElement>()): Map<string, XmlElement> {
  for (const c of node?.children ?? []) {
    if (!isElement(c)) continue;
    const uuid = attr(c, 'uuid');
    if (c.name === 'alias' && uuid !== undefined) out.set(uuid, c);
    else if (uuid === undefined) aliasesByUuid(c, out);
  }
  return out;
}

/**
 * The box's own aliases (adopted: gen's alias takes the UUID of the box's
 * alias of its name) whose type or content differs from gen's: the box's
 * rules that name the alias match gen's content from then on, and what it
 * held goes. Entries are compared as a set, one per line (AliasContentField).
 */
function aliasTakeovers(root: XmlElement, sections: readonly XmlElement[], adopted: ReadonlyMap<string, string>): string[] {
  const box = aliasesByUuid(child(child(child(root, 'OPNsense'), 'Firewall'), 'Alias'));
  const entries = (alias: XmlElement) => [...new Set(fieldText(alias, 'content').split('\n').map((e) => e.trim()).filter(Boolean))].sort();
  const shown = (alias: XmlElement) => `${fieldText(alias, 'type')}: ${entries(alias).join(', ') || 'empty'}`;
  const out: string[] = [];
  for (const section of sections) {
    for (const [uuid, ours] of aliasesByUuid(section)) {
      const theirs = box.get(adopted.get(uuid) ?? '');
      if (!theirs || shown(theirs) === shown(ours)) continue;
      out.push(
        `the box's own alias ${fieldText(ours, 'name')} (${shown(theirs)}) has the name of one of gen's aliases (${shown(ours)}): merge takes it over, its old content goes, ` +
          "and the box's rules that use it match gen's content from now on; to keep it, rename it on the box (Firewall > Aliases), point those rules at the new name and export a new backup",
      );
    }
  }
  return out;
}

/** A merge whose checks all passed: its text, to be written, and what it has to say. */
export interface MergedConfig {
  /**
   * Hands the merged config.xml to `part` in consecutive parts: with
   * 100,000 peers it is 425 MB, and as one string, with the pieces it was
   * joined from, it took gigabytes.
   */
  write(part: (text: string) => void): void;
  /** Warnings (options.warn is not called): to be said once the merged file is written, as a failed merge removed nothing. */
  readonly warnings: readonly string[];
}

/** The merged config.xml as one string; options.warn hears the warnings once it is made. */
export function mergeConfig(baseText: string, genSections: readonly XmlElement[], givenOptions: MergeOptions): string {
  const merged = mergedConfig(baseText, genSections, givenOptions);
  const parts: string[] = [];
  merged.write((text) => parts.push(text));
  for (const message of merged.warnings) givenOptions.warn?.(message);
  return parts.join('');
}

/** Merges gen's sections (children of <opnsense>) into a backup's text: everything is checked and decided here, the text written by the result. */
export function mergedConfig(baseText: string, genSections: readonly XmlElement[], givenOptions: MergeOptions): MergedConfig {
  sectionsOwned = givenOptions.ownSections === true;
  try {
    return merged(baseText, genSections, givenOptions);
  } finally {
    sectionsOwned = false;
  }
}

function merged(baseText: string, genSections: readonly XmlElement[], givenOptions: MergeOptions): MergedConfig {
  const said: string[] = [];
  const options: MergeOptions = Object.assign({}, givenOptions, { warn: (message: string) => said.push(message) });
  let doc;
  try {
    doc = parseXml(baseText, { lazyItems: true });
  } catch (error) {
    if (error instanceof XmlUnkeptError) throw new MergeError(`the base holds XML that the merged config could not keep exactly (${error.message}); remove it, or download the backup from the box again`);
    if (error instanceof XmlParseError) throw new MergeError(`the base is not well-formed XML (${error.message})`);
    throw error;
  }
  const { root } = doc;
  if (root.name !== 'opnsense') throw new MergeError(`the base is not an OPNsense configuration: its root element is <${root.name}>, not <opnsense>`);
  if (!child(root, 'system')) throw new MergeError('the base is not an OPNsense configuration backup: it has no <system> section');

  // gen's sections are not copied up front: merge copies what it puts into the base, and fills in keys and renames uuids on copies.
  const sectionsOfBase = childrenByName(root);
  for (const section of genSections) if (section.name !== 'cert') checkUnique(root, section, 'opnsense', 0, sectionsOfBase);
  // The rule stores merge clears, whichever form the release writes (a 26.7 policy leaves <filter> to be cleared).
  for (const path of RULE_STORE_PATHS) {
    const store = [...path].reverse().reduce<XmlElement>((inner, name) => ({ name, attrs: [], children: [inner] }), { name: 'rule', attrs: [], children: [] });
    checkUnique(root, store, 'opnsense', 0, sectionsOfBase);
  }
  let sections = withoutWildcardCovered(root, fillSecrets(root, genSections, options), options.warn!);
  checkServerCas(root, sections);
  const adopted = adoptedUuids(root, sections, ITEM_KEYS, OTHER_KIND);
  for (const message of aliasTakeovers(root, sections, adopted)) options.warn!(message);
  for (const message of hostOverrideTakeovers(root, sections, adopted)) options.warn!(message);
  for (const message of routeTakeovers(root, sections, adopted)) options.warn!(message);
  for (const message of dnsmasqHostTakeovers(root, sections, adopted)) options.warn!(message);
  const release = releaseFacts(options.release ?? DEFAULT_RELEASE);
  if (!release) throw new MergeError(`gen does not know OPNsense ${options.release}`);
  for (const message of ignoredOverrides(root, sections)) options.warn!(message);
  for (const message of gatewayAddressClashes(root, sections)) options.warn!(message);
  if (adopted.size > 0) {
    sections = sections.map(clone);
    for (const section of sections) renameUuids(section, adopted);
    for (const message of keepTakenOverAcmeItems(root, sections, new Set(adopted.values()))) options.warn!(message);
  }
  // The uuids gen's sections carry, read once: keepBoxPeers changes only the peer lists of instances.
  const genUuids = uuidsOf(sections);
  followRenamed(root, sections, genUuids, staleSuccessors(root, sections, ITEM_KEYS), options.warn!);
  sections = keepBoxPeers(root, sections, options.warn!);
  sections = keepPresharedKeys(root, sections, options.warn!);
  // The VLANs and tunnels of earlier merges, before this one removes any: an assignment of one that goes goes with it.
  const devicesBefore = genDevices(root);
  const dnsmasqWasOn = dnsmasqEnabled(child(root, 'dnsmasq'));

  const genInterfaces = sections.find((s) => s.name === 'interfaces');
  const managed = new Set(genInterfaces?.children.filter(isElement).map((c) => c.name) ?? []);
  if (genInterfaces?.children.filter(isElement).some((c) => fieldText(c, 'if').startsWith('wg'))) managed.add('wireguard');
  // Gateways of earlier merges this merge removes (the routes through them go with them; the box's own are reported below).
  const droppedGateways = gatewaysOf(root).filter((g) => isGenUuid(attr(g, 'uuid')) && !genUuids.has(attr(g, 'uuid') ?? '')).map((g) => fieldText(g, 'name'));
  clearManagedRules(root, sections, genUuids, managed, options.warn!, options.joinedVpc);
  warnOutboundModeChange(root, sections, genUuids, options.warn!);

  const genKeys = new Set(genInterfaces?.children.filter(isElement).map((c) => c.name) ?? []);
  for (const vlans of sections.filter((s) => s.name === 'vlans')) checkVlans(root, vlans, genKeys);
  const ppp = pppLinks(root, genInterfaces);
  // VIPs are checked against the base's interfaces as they came, before gen's addresses replace them.
  const vips = vipFindings(root, genInterfaces);
  const linkRefusals = ppp.refusals.concat(laggMemberRefusals(root, sections), groupRefusals(root, sections), vips.refusals);
  if (linkRefusals.length > 0) throw new MergeError(linkRefusals.join('\n'));
  const ha = haProblems(root, sections);
  if (ha.length > 0 && !options.allowHa) throw new MergeError(`${ha.join('\n')}\n(--allow-ha merges anyway)`);
  for (const message of ha) options.warn!(message);
  for (const note of ppp.notes.concat(vips.warnings)) options.warn!(note);

  const certs = new CertMerge(root, sections, options);
  for (const section of sections) {
    switch (section.name) {
      case 'interfaces':
        mergeInterfaces(root, section, options.warn!, ppp.kept);
        break;
      case 'filter':
      case 'nat':
        mergeRules(root, section);
        break;
      case 'dhcpd':
        mergeIscDhcp(root, section);
        break;
      case 'cert':
        certs.merge(section);
        break;
      default: {
        const existing = child(root, section.name);
        if (existing) mergeTree(existing, section, section.name);
        else append(root, intoMerged(section));
        if (section.name === 'dnsmasq') dropIscEntries(root, section);
      }
    }
  }
  certs.finish();
  dropStaleDhcp(root, genInterfaces, options);
  for (const message of wokenRanges(root, dnsmasqWasOn, (uuid) => genUuids.has(uuid))) options.warn!(message);
  // gen enabled HAProxy for the frontends it removed.
  if (dropStaleItems(root, genUuids, options.warn!).includes('HAProxy')) for (const message of idleHaproxy(root)) options.warn!(message);
  const refusals = dropOrphanedAssignments(root, devicesBefore, genKeys, options.warn!);
  if (refusals.length > 0) throw new MergeError(refusals.join('\n'));
  reportOrphanedRoutes(root, droppedGateways, options.warn!);
  const tunnels = wireguardClashes(root, (uuid) => genUuids.has(uuid));
  if (tunnels.length > 0) throw new MergeError(tunnels.join('\n'));
  if (sections.some((s) => child(s, 'HAProxy'))) {
    // Read once for every check below (each read every frontend's binds again), as is where the web GUI listens.
    const binds = haproxyBinds(root, (uuid) => genUuids.has(uuid));
    const listen = guiListen(root, release);
    const clashes = bindClashes(root, binds);
    if (clashes.length > 0) throw new MergeError(clashes.join('\n'));
    for (const message of bindShadows(binds)) options.warn!(message);
    for (const message of namedBindClashes(binds)) options.warn!(message);
    const gui = guiConflicts(root, release, binds, listen);
    if (gui.length > 0 && !options.allowGuiPortConflict) throw new MergeError(`${gui.join('\n')}\n(--allow-gui-port-conflict merges anyway)`);
    for (const message of gui) options.warn!(message);
    for (const message of guiUncheckedBinds(root, release, binds, listen)) options.warn!(message);
  }
  // The box's frontends with a bind HAProxy refuses: with one, HAProxy starts with none, gen's included.
  for (const message of haproxyRefusals(root, (uuid) => genUuids.has(uuid))) options.warn!(message);
  if (options.antiLockout) for (const message of antiLockoutDifferences(root, options.antiLockout)) options.warn!(message);
  // What clients asking the firewall on port 53 get for gen's Unbound host overrides, read from the config as merged:
  // the box's Hosts, ranges, DHCP entries and dnsmasq settings as this merge leaves them.
  // Unbound and dnsmasq on one port of one address: only dnsmasq starts.
  for (const message of dnsPortClashes(root)) options.warn!(message);
  for (const message of unansweredOverrides(root, sections, release.dnsmasq)) options.warn!(message);
  // Where the firewall dnsmasq's DHCP hands out as DNS server is answered by neither resolver of the box.
  for (const message of unansweredFirewallDns(root, release.dnsmasqFirewallDns6, release)) options.warn!(message);
  for (const message of offPortOverrides(root, sections, release.dnsmasq)) options.warn!(message);
  for (const message of unheardOverrides(root, sections, release.dnsmasqFirewallDns6, release.dnsmasq, release)) options.warn!(message);
  // Where full-tunnel WireGuard clients and those of gen's ISC DHCP interfaces ask the firewall for names and no
  // resolver of the box answers them; where Unbound answers them (and dnsmasq's DHCP clients) but its access lists refuse them.
  const facts = dnsFacts(root);
  for (const message of unansweredTunnelDns(facts, options.tunnelDns ?? [])) options.warn!(message);
  for (const message of unansweredIscDns(facts, sections)) options.warn!(message);
  for (const message of aclRefusedClients(facts, sections, options.tunnelDns ?? [], release.dnsmasqFirewallDns6, release)) options.warn!(message);
  // The box's items and gen's side by side, as merged, whose dnsmasq.conf lines dnsmasq refuses though OPNsense saved each.
  for (const message of dnsmasqRefusals(root, release.dnsmasq, release)) options.warn!(message);
  // The box's Hosts of more MACs than gen's one, which stay beside gen's reservation of one of them: dnsmasq gives that MAC one line;
  // and those of the client id a client of gen's MAC sends, which dnsmasq matches first.
  for (const message of sharedMacs(root, (uuid) => genUuids.has(uuid))) options.warn!(message);
  // The box's Hosts whose MACs, none written with colons, get no dhcp-host line: reserved nothing, silently.
  for (const message of linelessHosts(root)) options.warn!(message);
  // Those whose MACs written otherwise dnsmasq reads as a name on a line it takes: reserved nothing, silently.
  for (const message of namedMacs(root, release.dnsmasq)) options.warn!(message);
  // The box's tagged DHCP options after gen's of the same number: dnsmasq sends the later line to the clients carrying its tags.
  for (const message of dnsmasqOptionOverrides(root, (uuid) => genUuids.has(uuid))) options.warn!(message);
  propagate(root);
  const { prolog, epilog } = doc;
  return {
    warnings: said,
    write: (part) => {
      part(prolog);
      serializeParts(root, part);
      part(epilog.endsWith('\n') ? epilog : `${epilog}\n`);
    },
  };
}

/**
 * The box's own items that refer (by UUID, as OPNsense links MVC items) to
 * gen's items of an earlier merge that this merge removes: a reference to
 * an item the topology renamed with its key kept follows it to its new
 * UUID; one to an item the topology dropped is reported, as it will name
 * nothing (an operator's instance listing gen's peer, a frontend of theirs
 * using gen's backend). gen's own items are replaced whole, so only the
 * box's are looked at.
 */
function followRenamed(root: XmlElement, sections: readonly XmlElement[], current: ReadonlySet<string>, successors: ReadonlyMap<string, string>, warn: (message: string) => void): void {
  // Where gen writes now: an item of an earlier merge goes here only from a list gen writes again. One of an area
  // the topology no longer has (all of HAProxy, say) goes later, unless the box's own items use it (dropped.ts).
  const written = new Set<string>();
  const note = (node: XmlElement, path: string) => {
    written.add(path);
    for (const c of node.children) if (isElement(c) && attr(c, 'uuid') === undefined) note(c, `${path}/${c.name}`);
  };
  for (const section of sections) note(section, section.name);
  const stale = new Map<string, XmlElement>();
  // Only into lists gen writes (`written` holds every path on the way to one): an item of the base is not looked into,
  // and a merge into its own earlier result makes none of its items' fields (parse.ts, lazyItems).
  const collect = (node: XmlElement, path: string) => {
    for (const c of node.children) {
      if (!isElement(c)) continue;
      const uuid = attr(c, 'uuid');
      if (uuid !== undefined && isGenUuid(uuid) && !current.has(uuid) && written.has(path)) stale.set(uuid, c);
      const inner = path === '' ? c.name : `${path}/${c.name}`;
      if (written.has(inner)) collect(c, inner);
    }
  };
  collect(root, '');
  if (stale.size === 0) return;
  const named = (n: XmlElement) => `${n.name} ${JSON.stringify(fieldText(n, 'name') || fieldText(n, 'description') || fieldText(n, 'descr') || attr(n, 'uuid'))}`;
  const visit = (node: XmlElement, owner: XmlElement | undefined, path: string) => {
    const uuid = attr(node, 'uuid');
    // gen's own items, as this merge writes them (adopted ones included), are replaced whole.
    if (uuid !== undefined && (isGenUuid(uuid) || current.has(uuid))) return;
    const item = uuid !== undefined ? node : owner;
    const parts = uuidList(node);
    if (parts.length > 0) {
      const next = parts.map((part) => {
        const target = stale.get(part.trim());
        if (!target) return part;
        const successor = successors.get(part.trim());
        if (successor !== undefined) return successor;
        warn(`the box's ${item ? `${named(item)} refers in <${node.name}>` : `<${path}> refers`} to ${named(target)}, which an earlier merge wrote and the topology no longer has: the reference will name nothing; remove it on the box, or put the item back in the topology`);
        return part;
      });
      if (next.some((p, i) => p !== parts[i])) {
        node.children = [{ text: next.join(',') }];
        touch(node);
      }
    }
    for (const c of node.children) {
      // A box's item nobody looked into whose text names no stale item: nothing in it to follow (and its fields stay unmade).
      if (isElement(c) && !(holdsNoItems(c) && !namesAny(c, stale))) visit(c, item, path === '' ? c.name : `${path}/${c.name}`);
    }
  };
  for (const c of root.children) if (isElement(c)) visit(c, undefined, c.name);
}

/** Every uuid gen's sections carry. */
function uuidsOf(sections: readonly XmlElement[]): Set<string> {
  const out = new Set<string>();
  const walk = (node: XmlElement) => {
    const uuid = attr(node, 'uuid');
    if (uuid !== undefined) out.add(uuid);
    for (const c of node.children) if (isElement(c)) walk(c);
  };
  sections.forEach(walk);
  return out;
}

/** An element whose descendant changed is written anew. */
function propagate(node: XmlElement): boolean {
  let dirty = node.raw === undefined;
  // An item nobody looked into is as it was read.
  if (node instanceof LazyElement && node.unmade) return dirty;
  for (const c of node.children) if (isElement(c) && propagate(c)) dirty = true;
  if (dirty) touch(node);
  return dirty;
}

/**
 * Each element gen merges into must be there once: OPNsense reads the
 * first of two, so with a section twice gen cannot know which one the box
 * uses, and merging into one would keep the other's stale content. The
 * elements are the sections, the interface and DHCP entries by key, and
 * the containers (elements of elements) gen merges field by field.
 */
function checkUnique(base: XmlElement, gen: XmlElement, path: string, depth = 0, index = childrenByName(base)): void {
  const same = index.get(gen.name) ?? [];
  if (same.length > 1) throw new MergeError(`the base has <${path}/${gen.name}> ${same.length} times; OPNsense reads only the first: remove the others, then merge again`);
  const existing = same[0];
  if (!existing) return;
  const byKey = depth === 0 && (gen.name === 'interfaces' || gen.name === 'dhcpd');
  // The base's children by name, read once for all of gen's (not searched for each: gen's interfaces × the base's).
  let inner: Map<string, XmlElement[]> | undefined;
  for (const item of gen.children.filter(isElement)) {
    if (attr(item, 'uuid') !== undefined) continue;
    if (byKey) checkUnique(existing, Object.assign({}, item, { children: [] }), `${path}/${gen.name}`, depth + 1, (inner ??= childrenByName(existing)));
    else if (item.children.some(isElement)) checkUnique(existing, item, `${path}/${gen.name}`, depth + 1, (inner ??= childrenByName(existing)));
  }
}
