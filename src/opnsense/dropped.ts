// What an earlier merge wrote and the topology no longer has, in areas merge
// writes no section for now: all of HAProxy and ACME, all of WireGuard, every
// VLAN. Items in a list gen writes again go in mergeItems; these would stay
// (still running: a frontend on the WAN, an ACME client renewing with stored
// credentials). gen's items carry its UUIDs (isGenUuid), so they are known
// without a record of earlier merges. Certificates stay: the ACME client
// filled them, and the web GUI may use one.
//
// A device that goes (a VLAN, a WireGuard instance's wgN) may still be
// assigned to an interface: OPNsense never deletes a VLAN that is assigned
// (VlanSettingsController::delItemAction), and an assignment of a missing
// device configures nothing. Such an assignment goes as OPNsense deletes one
// (Interfaces/Api/AssignmentController.php: refused while a group, bridge,
// GRE or GIF tunnel uses it or it is locked; its rules go, a rule on more
// interfaces loses it) with its DHCP settings, as 25.7's interfaces_assign.php
// deleted them.
import { isGenUuid } from '../render/opnsense/ids.js';
import { LazyElement, type XmlElement, attr, child, childrenNamed, holdsNoItems, isElement, textOf } from '../render/opnsense/xml.js';
import { assignmentName, at, fieldList, fieldText, namesAny, uuidList } from './fields.js';

/** Top-level sections whose items of earlier merges stay (see above). */
const KEPT_SECTIONS = new Set(['cert', 'ca']);

/** An area's name in a message, and its items' where OPNsense's GUI calls them otherwise. */
const AREA_WORDS: Record<string, string> = { AcmeClient: 'ACME client', wireguard: 'WireGuard', vlans: 'VLANs', ifgroups: 'interface groups', Gateways: 'gateways' };
const ITEM_WORDS: Record<string, string> = { 'wireguard/server': 'WireGuard instance', 'wireguard/client': 'WireGuard peer', 'vlans/vlan': 'VLAN', 'ifgroups/ifgroupentry': 'interface group', 'Gateways/gateway_item': 'gateway' };

/** What an item is called in a message: `HAProxy frontend "https"`, `VLAN "vlan0.30"`. */
function itemLabel(item: XmlElement, area: string): string {
  return `${ITEM_WORDS[`${area}/${item.name}`] ?? `${AREA_WORDS[area] ?? area} ${item.name}`} "${itemName(item)}"`;
}

function itemName(item: XmlElement): string {
  return fieldText(item, 'name') || fieldText(item, 'vlanif') || fieldText(item, 'ifname') || fieldText(item, 'description') || fieldText(item, 'descr') || attr(item, 'uuid')!;
}

/** The area of an item in `section`: the model below <OPNsense> (HAProxy, AcmeClient, wireguard), else the section. */
function areaOf(section: string, model: string | undefined): string {
  return section === 'OPNsense' && model !== undefined ? model : section;
}

/**
 * Removes gen's items of earlier merges that this merge does not write
 * (`current`: the UUIDs it writes) wherever they are left, and says which,
 * by area; returns the areas it removed from. One the box's own items use (an operator's frontend on gen's
 * backend), and what it uses in turn, stays, as the box's own. A model
 * root that loses items loses its persisted_at stamp (the key of
 * OPNsense's model cache), as in mergeTree.
 */
export function dropStaleItems(root: XmlElement, current: ReadonlySet<string>, warn: (message: string) => void): string[] {
  const stale = new Map<string, { item: XmlElement; area: string }>();
  // Only the first two names of an element's path decide (its section, and its model below <OPNsense>): they are
  // passed down, not the whole path copied and joined for each of the config's elements.
  const collect = (node: XmlElement, section: string | undefined, model: string | undefined) => {
    for (const c of node.children) {
      if (!isElement(c)) continue;
      const uuid = attr(c, 'uuid');
      const first = section ?? c.name;
      const second = section === undefined ? undefined : (model ?? c.name);
      if (uuid !== undefined && isGenUuid(uuid) && !current.has(uuid) && !KEPT_SECTIONS.has(first)) stale.set(uuid, { item: c, area: areaOf(first, second) });
      else if (!holdsNoItems(c)) collect(c, first, second);
    }
  };
  collect(root, undefined, undefined);
  if (stale.size === 0) return [];
  // What the box's items name (outside the stale items), then what those name in turn.
  const used = new Map<string, string>();
  // The items found used and not yet looked into, each queued as it is found (once: a set of the used ones made
  // again for each item looked into, and its keys walked, grew with used items × used items).
  const queue: string[] = [];
  const users = (node: XmlElement, user: string | undefined, inside: boolean) => {
    const uuid = attr(node, 'uuid');
    if (uuid !== undefined && stale.has(uuid) && !inside) return;
    const who = uuid !== undefined && !isGenUuid(uuid) ? `used by the box's ${node.name} "${itemName(node)}"` : user;
    for (const named of uuidList(node).map((p) => p.trim())) {
      if (stale.has(named) && !used.has(named)) {
        used.set(named, who ?? `named in <${node.name}>`);
        queue.push(named);
      }
    }
    for (const c of node.children) {
      if (!isElement(c) || (holdsNoItems(c) && !namesAny(c, stale))) continue;
      const unmade = c instanceof LazyElement && c.unmade;
      users(c, who, inside);
      // Looked into for its references only: its fields go again (a merge into its own result has 300,000 items).
      if (unmade) (c as LazyElement).release();
    }
  };
  users(root, undefined, false);
  // The last found first; what an item uses is queued in the order it is found.
  while (queue.length > 0) {
    const { item, area } = stale.get(queue.pop()!)!;
    users(item, `used by ${itemLabel(item, area)}`, true);
  }
  const removed = new Map<string, string[]>();
  const kept: string[] = [];
  for (const [uuid, { item, area }] of stale) {
    if (used.has(uuid)) kept.push(`${itemLabel(item, area)} (${used.get(uuid)})`);
    else {
      let items = removed.get(area);
      if (items === undefined) removed.set(area, (items = []));
      items.push(itemLabel(item, area));
    }
  }
  // Ancestors of a changed element are written anew by merge's propagate().
  const drop = (node: XmlElement, model: XmlElement | undefined): void => {
    const left = node.children.filter((c) => {
      if (!isElement(c)) return true;
      const uuid = attr(c, 'uuid');
      if (uuid !== undefined && stale.has(uuid) && !used.has(uuid)) return false;
      if (!holdsNoItems(c)) drop(c, attr(c, 'version') !== undefined ? c : model);
      return true;
    });
    if (left.length === node.children.length) return;
    node.children = left;
    delete node.raw;
    if (model && attr(model, 'persisted_at') !== undefined) {
      model.attrs = model.attrs.filter(([k]) => k !== 'persisted_at');
      delete model.raw;
    }
  };
  drop(root, undefined);
  for (const [area, items] of removed) {
    warn(`removed ${items.join(', ')}: an earlier merge wrote ${items.length > 1 ? 'them' : 'it'}, and the topology no longer has ${items.length > 1 ? 'them' : 'it'}`);
  }
  if (kept.length > 0) {
    const [they, them, stay] = kept.length > 1 ? ['they', 'them', 'they stay'] : ['it', 'it', 'it stays'];
    warn(
      `kept ${kept.join(', ')}: an earlier merge wrote ${them} and the topology no longer has ${them}, but the box's own items use ${them}, so ${stay} as the box's own; ` +
        `change those items on the box if ${they} should go (the next merge removes what nothing uses), or put ${them} back in the topology`,
    );
  }
  return [...removed.keys()];
}

/** The devices of gen's VLANs and WireGuard instances in a config: what an assignment can name. */
export function genDevices(root: XmlElement): Set<string> {
  return new Set(devices(root, (item) => isGenUuid(attr(item, 'uuid'))));
}

function devices(root: XmlElement, which: (item: XmlElement) => boolean): string[] {
  const vlans = childrenNamed(child(root, 'vlans'), 'vlan').filter(which).map((v) => fieldText(v, 'vlanif'));
  const servers = childrenNamed(child(child(child(child(root, 'OPNsense'), 'wireguard'), 'server'), 'servers'), 'server');
  const tunnels = servers.filter(which).map((s) => `wg${fieldText(s, 'instance')}`);
  return vlans.concat(tunnels).filter((d) => d !== '' && d !== 'wg');
}

/** What uses an interface key so that OPNsense refuses to delete its assignment (AssignmentController::delItemAction). */
function usersOf(root: XmlElement, key: string): string[] {
  const holders: [string, string, string][] = [
    ['ifgroups', 'ifgroupentry', 'interface group'],
    ['bridges', 'bridged', 'bridge'],
    ['gres', 'gre', 'GRE tunnel'],
    ['gifs', 'gif', 'GIF tunnel'],
  ];
  const users: string[] = [];
  for (const [section, item, what] of holders) {
    for (const holder of childrenNamed(child(root, section), item)) {
      // As OPNsense reads them: `members` and `if`, comma separated, a CARP VIP (`lan_vip1`) counting as its interface.
      const members = ['members', 'if'].flatMap((tag) => fieldList(holder, tag).map((m) => m.split('_vip')[0]));
      if (members.includes(key)) users.push(`${what} ${fieldText(holder, 'ifname') || fieldText(holder, 'bridgeif') || fieldText(holder, 'greif') || fieldText(holder, 'gifif') || fieldText(holder, 'descr')}`);
    }
  }
  return users;
}

/** The rule stores AssignmentController::cleanRules clears of a deleted interface. */
const RULE_STORES: readonly (readonly string[])[] = [
  ['filter'],
  ['nat'],
  ['nat', 'outbound'],
  ['OPNsense', 'Firewall', 'Filter', 'rules'],
  ['OPNsense', 'Firewall', 'Filter', 'snatrules'],
  ['OPNsense', 'Firewall', 'Filter', 'npt'],
  ['OPNsense', 'Firewall', 'Filter', 'onetoone'],
];

/** Removes `key` from the rules as cleanRules does; the descriptions of the rules removed whole. */
function cleanRules(root: XmlElement, key: string): string[] {
  const gone: string[] = [];
  for (const path of RULE_STORES) {
    const store = at(root, path);
    if (!store) continue;
    const kept = store.children.filter((rule) => {
      if (!isElement(rule) || rule.name !== 'rule') return true;
      const listed = fieldText(rule, 'interface').split(',');
      if (!listed.includes(key)) return true;
      const rest = listed.filter((k) => k !== key);
      if (rest.length > 0) {
        const field = child(rule, 'interface')!;
        field.children = [{ text: rest.join(',') }];
        delete field.raw;
        return true;
      }
      gone.push(fieldText(rule, 'descr') || fieldText(rule, 'description') || 'without a description');
      return false;
    });
    if (kept.length !== store.children.length) {
      store.children = kept;
      delete store.raw;
    }
  }
  return gone;
}

/** Removes `name` from a comma-separated list field; whether it was there. */
function dropFromList(field: XmlElement | undefined, name: string): boolean {
  if (!field) return false;
  const values = textOf(field).split(',').map((v) => v.trim());
  if (!values.includes(name)) return false;
  field.children = [{ text: values.filter((v) => v !== name).join(',') }];
  delete field.raw;
  return true;
}

/**
 * Deletes the assignments of devices gen wrote in an earlier merge
 * (`before`, genDevices of the base) that the merged config no longer has,
 * except the keys gen assigns now (`assigned`), as OPNsense deletes an
 * assignment. Where OPNsense would refuse, it deletes none and returns why
 * (the merge fails with that).
 */
export function dropOrphanedAssignments(root: XmlElement, before: ReadonlySet<string>, assigned: ReadonlySet<string>, warn: (message: string) => void): string[] {
  const left = new Set(devices(root, () => true));
  const gone = new Set([...before].filter((d) => !left.has(d)));
  if (gone.size === 0) return [];
  const interfaces = child(root, 'interfaces');
  const orphans = (interfaces?.children ?? []).filter((c): c is XmlElement => isElement(c) && !assigned.has(c.name) && gone.has(fieldText(c, 'if')));
  const refusals: string[] = [];
  for (const entry of orphans) {
    const described = assignmentName(entry);
    const users = usersOf(root, entry.name);
    if (fieldText(entry, 'lock') !== '') users.push('its lock');
    if (users.length === 0) continue;
    refusals.push(
      `the base assigns ${fieldText(entry, 'if')}, which an earlier merge wrote and the topology no longer has, to ${described}, and ${users.join(', ')} ${users.length > 1 ? 'use' : 'uses'} it: ` +
        `OPNsense deletes no assignment in use, nor would merge; take ${described} out of ${users.length > 1 ? 'them' : 'it'} on the box, download the backup again and merge, or put the network back in the topology`,
    );
  }
  if (refusals.length > 0) return refusals;
  for (const entry of orphans) {
    const key = entry.name;
    const described = assignmentName(entry);
    interfaces!.children = interfaces!.children.filter((c) => c !== entry);
    delete interfaces!.raw;
    for (const section of ['dhcpd', 'dhcpdv6']) {
      const server = child(root, section);
      const settings = child(server, key);
      if (!settings) continue;
      server!.children = server!.children.filter((c) => c !== settings);
      delete server!.raw;
    }
    const dnsmasq = child(root, 'dnsmasq');
    if (dropFromList(child(dnsmasq, 'interface'), key)) delete dnsmasq!.raw;
    const rules = cleanRules(root, key);
    const ruleWords = rules.length === 0 ? '' : `, and the box's ${rules.length > 1 ? `rules ${rules.map((r) => `"${r}"`).join(', ')}` : `rule "${rules[0]}"`} on it`;
    warn(
      `removed the assignment ${described} of ${fieldText(entry, 'if')}, which an earlier merge wrote and the topology no longer has${ruleWords}, ` +
        'as OPNsense deletes an assignment (Interfaces › Assignments): an assignment of a missing device configures nothing',
    );
  }
  return [];
}
