// A gen item that matches an item of the box's own on its natural key (a
// HAProxy backend by name, a WireGuard instance by number, a peer by public
// key) takes over that item's UUID, and gen's own references to it follow.
// The box's other items (a frontend's defaultBackend, an instance's peers)
// keep pointing at an item that exists: OPNsense links MVC items by UUID.
import { addToList } from '../arrays.js';
import { isGenUuid } from '../render/opnsense/ids.js';
import { type XmlElement, attr, childrenNamed, isElement } from '../render/opnsense/xml.js';
import { at, fieldText } from './fields.js';
import { routeDestination } from '../net.js';

/** Natural keys of MVC items, by element name: a base item matching any key set is the same item. */
export type ItemKeys = Readonly<Record<string, readonly (readonly string[])[]>>;

/**
 * An item's natural key for one key set, as one string; undefined when a
 * field of it is empty (no key), except a field written `?name`, which
 * scopes the key and may be empty (a host name within its domain).
 */
const CASELESS = new Set(['hwaddr', 'domain', 'hostname', 'host']);

/**
 * Fields compared by what they stand for, by item and field. A static route's network: OPNsense runs `route delete`
 * and `route add` for each route in turn (system_routing_configure(), system.inc), and a route whose text differs but
 * whose destination is the same ("10.20.0.5/24", "10.20.0.0/24") is the same kernel route; the one applied last
 * replaces the other, and a disabled one deletes it. A DHCP option's type: see below.
 */
const READ_AS: Readonly<Record<string, (text: string) => string>> = {
  'route/network': (text) => routeDestination(text) ?? text,
  // A missing type is the model's Default, set: a backup from before the field (Dnsmasq model 1.0.5) gets it when
  // the box migrates it. (An empty one the template writes no line for: taking it over loses nothing.)
  'dhcp_options/type': (text) => text || 'set',
};

export function naturalKey(item: XmlElement, fields: readonly string[]): string | undefined {
  // A MAC address is the same in either case (dnsmasq and OPNsense compare it so); a domain too, and a host
  // name in it (DNS names compare without case, RFC 4343: Unbound answers "Cloud" and "cloud" as one name, and
  // dnsmasq a hosts-file name: a box's Host "NAS" beside gen's "nas" would answer both addresses for it).
  const values = fields.map((f) => {
    const name = f.startsWith('?') ? f.slice(1) : f;
    const text = fieldText(item, name);
    const read = READ_AS[`${item.name}/${name}`];
    return read ? read(text) : CASELESS.has(name) ? text.toLowerCase() : text;
  });
  return values.some((v, i) => v === '' && !fields[i]!.startsWith('?')) ? undefined : JSON.stringify(values);
}

/** Items (elements with a uuid) under `node`, with the element path from the section root to their parent. */
function itemsOf(node: XmlElement, path: string[], out: { path: string[]; item: XmlElement }[]): void {
  for (const c of node.children) {
    if (!isElement(c)) continue;
    if (attr(c, 'uuid') !== undefined) out.push({ path, item: c });
    else itemsOf(c, path.concat(c.name), out);
  }
}

/**
 * Pairs each of gen's items with the one base item of the same kind, at
 * the same place, that `eligible` admits and that matches it on a natural
 * key: gen UUID → base UUID. A base item two gen items match, or a gen item
 * matching two base items, pairs with none.
 */
function matchedOneToOne(
  root: XmlElement,
  sections: readonly XmlElement[],
  keys: ItemKeys,
  eligible: (uuid: string, item: XmlElement) => boolean,
): Map<string, string> {
  const found: { path: string[]; item: XmlElement }[] = [];
  for (const section of sections) itemsOf(section, [section.name], found);
  const claims = new Map<string, string[]>();
  const matched = new Map<string, string>();
  // The base items of one kind at one place, indexed by each key set's values
  // once: a backup merged before holds every gen item again, and comparing
  // each gen item with all of them was quadratic (10,000 peers: six minutes).
  const indexes = new Map<string, Map<string, XmlElement[]>[]>();
  const indexOf = (path: readonly string[], name: string, keySets: readonly (readonly string[])[]) => {
    const where = JSON.stringify(path.concat(name));
    let index = indexes.get(where);
    if (!index) {
      index = keySets.map(() => new Map<string, XmlElement[]>());
      for (const b of childrenNamed(at(root, path), name)) {
        const uuid = attr(b, 'uuid');
        if (uuid === undefined || !eligible(uuid, b)) continue;
        keySets.forEach((fields, k) => {
          const key = naturalKey(b, fields);
          if (key !== undefined) addToList(index![k]!, key, b);
        });
      }
      indexes.set(where, index);
    }
    return index;
  };
  for (const { path, item } of found) {
    const keySets = keys[item.name] ?? [['name']];
    const genUuid = attr(item, 'uuid')!;
    const index = indexOf(path, item.name, keySets);
    // The base items (other than this very one) that match on some key set, each once.
    const candidates = new Set<XmlElement>();
    keySets.forEach((fields, k) => {
      const key = naturalKey(item, fields);
      const same = key === undefined ? undefined : index[k]!.get(key);
      for (const b of same ?? []) if (attr(b, 'uuid') !== genUuid) candidates.add(b);
    });
    if (candidates.size !== 1) continue;
    const baseUuid = attr([...candidates][0]!, 'uuid')!;
    matched.set(genUuid, baseUuid);
    addToList(claims, baseUuid, genUuid);
  }
  for (const [, genUuids] of claims) if (genUuids.length > 1) for (const g of genUuids) matched.delete(g);
  return matched;
}

/** The UUIDs of gen's items in `sections`. */
function itemUuids(sections: readonly XmlElement[]): Set<string> {
  const found: { path: string[]; item: XmlElement }[] = [];
  for (const section of sections) itemsOf(section, [section.name], found);
  return new Set(found.map(({ item }) => attr(item, 'uuid')!));
}

/**
 * Each of gen's items (`ours`) that took over one of the box's (adopted: gen's UUID -> the box item's, as
 * adoptedUuids() gives it), with that box item (`theirs`): what a takeover warning compares.
 */
export function takenOver(boxItems: readonly XmlElement[], genItems: readonly XmlElement[], adopted: ReadonlyMap<string, string>): { ours: XmlElement; theirs: XmlElement }[] {
  const box = new Map(boxItems.map((item) => [attr(item, 'uuid'), item]));
  return genItems.flatMap((ours) => {
    const theirs = box.get(adopted.get(attr(ours, 'uuid') ?? '') ?? '');
    return theirs ? [{ ours, theirs }] : [];
  });
}

/**
 * The UUIDs of gen's items that become a base item's UUID: an item of the
 * box's own (not gen's: isGenUuid), of the same kind, at the same
 * place, with the same natural key, matched one to one (merge otherwise
 * replaces by key as before).
 */
export function adoptedUuids(
  root: XmlElement,
  sections: readonly XmlElement[],
  keys: ItemKeys,
  otherKind: Readonly<Record<string, (item: XmlElement) => boolean>> = {},
): Map<string, string> {
  return matchedOneToOne(root, sections, keys, (uuid, b) => !isGenUuid(uuid) && !otherKind[b.name]?.(b));
}

/** Rewrites uuid attributes and every reference (a field's text, or one entry of a comma list) in gen's sections. */
export function renameUuids(node: XmlElement, renamed: ReadonlyMap<string, string>): void {
  if (renamed.size === 0) return;
  const uuid = attr(node, 'uuid');
  if (uuid !== undefined && renamed.has(uuid)) node.attrs = node.attrs.map(([k, v]) => [k, k === 'uuid' ? renamed.get(v)! : v]);
  node.children = node.children.map((c) => {
    if (isElement(c)) {
      renameUuids(c, renamed);
      return c;
    }
    if (!('text' in c) || !/[0-9a-f]{8}-/.test(c.text)) return c;
    return { text: c.text.split(',').map((part) => renamed.get(part.trim()) ?? part).join(',') };
  });
}

/**
 * gen's items of an earlier merge that a current gen item replaces under
 * another name (a peer renamed, its public key kept): each stale UUID with
 * the UUID of the one current item that matches it on a natural key,
 * matched one to one.
 */
export function staleSuccessors(root: XmlElement, sections: readonly XmlElement[], keys: ItemKeys): Map<string, string> {
  const current = itemUuids(sections);
  const matched = matchedOneToOne(root, sections, keys, (uuid) => isGenUuid(uuid) && !current.has(uuid));
  return new Map([...matched].map(([genUuid, stale]) => [stale, genUuid]));
}
