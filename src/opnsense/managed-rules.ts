// On the interfaces gen assigns, the topology's policy is the whole truth
// (default deny): the base's own rules there would pass what the policy
// blocks. OPNsense evaluates MVC rules before legacy ones of the same
// priority, so both kinds are cleared, whichever one the release gen
// targets writes: the 26.7 factory's MVC "Default allow LAN" rules as much
// as the legacy ones of earlier releases. Floating rules (several
// interfaces, or the interface negated) and rules of other interfaces stay.
// Rules of earlier merges (version-5 UUIDs, which only gen makes) that gen
// no longer writes go too.
import { isNameBasedUuid } from '../render/opnsense/ids.js';
import { type XmlElement, attr, child, isElement, textOf } from '../render/opnsense/xml.js';

function fieldText(item: XmlElement, field: string): string {
  return textOf(child(item, field)).trim();
}

function at(root: XmlElement, path: readonly string[]): XmlElement | undefined {
  let node: XmlElement | undefined = root;
  for (const name of path) node = child(node, name);
  return node;
}

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

/**
 * Removes the base's rules on `managed` interfaces and stale rules of
 * earlier merges, except the ones gen writes now (`genUuids`); says which
 * of the box's own rules it removed.
 */
export function clearManagedRules(root: XmlElement, genUuids: ReadonlySet<string>, managed: ReadonlySet<string>, warn: (message: string) => void): void {
  for (const store of STORES) {
    const parent = at(root, store.path);
    if (!parent) continue;
    const kept = parent.children.filter((c) => {
      if (!isElement(c) || c.name !== 'rule') return true;
      const uuid = attr(c, 'uuid');
      if (uuid !== undefined && genUuids.has(uuid)) return true;
      if (isNameBasedUuid(uuid)) return false;
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
}
