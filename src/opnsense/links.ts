// Links of the box that gen's interfaces sit on but the topology cannot
// state: a PPP link (PPPoE, PPP, PPTP, L2TP: <ppps>) and a LAGG (<laggs>).
// merge.ts keeps a PPP link where the topology asks for a dynamic address,
// and refuses what would take a link apart.
import { addToList as addTo } from '../arrays.js';
import { type XmlElement, child, childrenNamed, firstChildren, isElement } from '../render/opnsense/xml.js';
import { assignmentName, fieldList, fieldText } from './fields.js';

/** The address types that make OPNsense run a PPP link on an interface (interface_ppps_configure, interfaces.inc). */
const PPP_TYPES = new Map([['ppp', 'PPP'], ['pppoe', 'PPPoE'], ['pptp', 'PPTP'], ['l2tp', 'L2TP']]);

export interface PppResult {
  /** Keys whose PPP link stays: merge leaves their `if` and `ipaddr` as the box has them. */
  kept: Set<string>;
  refusals: string[];
  notes: string[];
}

/**
 * The keys gen assigns that the box runs a PPP link on. OPNsense starts the
 * link (mpd5) only while the key's `ipaddr` names its type and its `if` the
 * link's device (interface_ppps_capable, interface_ppps_configure), so gen's
 * `dhcp` or static address there would end the link: the box would lose its
 * uplink. A topology address `dhcp` (a dynamic address, as a PPP link's is)
 * on the link's device or one of its ports keeps the link; anything else is
 * refused.
 */
export function pppLinks(root: XmlElement, genInterfaces: XmlElement | undefined): PppResult {
  const result: PppResult = { kept: new Set(), refusals: [], notes: [] };
  const links = new Map(childrenNamed(child(root, 'ppps'), 'ppp').map((ppp) => [fieldText(ppp, 'if'), ppp]));
  // The base's entry of each key, read once (a search per interface of gen's made the work gen's × the base's).
  const assigned = firstChildren(child(root, 'interfaces'));
  for (const g of genInterfaces?.children.filter(isElement) ?? []) {
    const have = assigned.get(g.name);
    const link = links.get(fieldText(have, 'if'));
    if (!have || !link || !PPP_TYPES.has(fieldText(have, 'ipaddr'))) continue;
    const device = fieldText(g, 'if');
    const ports = fieldList(link, 'ports');
    const type = PPP_TYPES.get(fieldText(link, 'type')) ?? PPP_TYPES.get(fieldText(have, 'ipaddr'));
    const what = `a ${type} link, ${fieldText(link, 'if')} over ${ports.join(', ') || 'no port'}`;
    if ((device === fieldText(link, 'if') || ports.includes(device)) && fieldText(g, 'ipaddr') === 'dhcp') {
      result.kept.add(g.name);
      result.notes.push(`kept ${what}, on ${assignmentName(have)}: the topology's address: dhcp on ${device} stands for the address the link gets`);
      continue;
    }
    const address = fieldText(g, 'ipaddr') === 'dhcp' ? 'DHCP' : fieldText(g, 'ipaddr') ? `the static address ${fieldText(g, 'ipaddr')}` : 'no address';
    result.refusals.push(
      `the base's ${assignmentName(have)} is ${what} (Interfaces › Devices › Point-to-Point), which the topology cannot state: it gives ${g.name} ${address} on ${device}, ` +
        `and OPNsense would no longer start the link, so the box would lose that connection; set "address: dhcp" and device ${ports[0] ?? fieldText(link, 'if')} on that interface to keep the link, or remove it from the backup`,
    );
  }
  return result;
}

/**
 * Devices gen uses itself (an assignment's device, a VLAN's parent) that
 * are members of one of the box's LAGGs: a member carries no traffic of its
 * own once it is in the LAGG, and OPNsense offers no assigned device as a
 * member (LaggInterfaceField), so the LAGG would fail validation.
 */
export function laggMemberRefusals(root: XmlElement, sections: readonly XmlElement[]): string[] {
  const memberOf = new Map<string, XmlElement>();
  for (const lagg of childrenNamed(child(root, 'laggs'), 'lagg')) {
    for (const member of fieldList(lagg, 'members')) memberOf.set(member, lagg);
  }
  if (memberOf.size === 0) return [];
  // What gen puts on each device, in the topology's order.
  const uses = new Map<string, string[]>();
  for (const section of sections) {
    if (section.name === 'interfaces') for (const g of section.children.filter(isElement)) addTo(uses, fieldText(g, 'if'), `${g.name}'s device`);
    if (section.name === 'vlans') for (const v of childrenNamed(section, 'vlan')) addTo(uses, fieldText(v, 'if'), `the parent of VLAN ${fieldText(v, 'tag')} (${fieldText(v, 'vlanif')})`);
  }
  const refusals: string[] = [];
  for (const [device, roles] of uses) {
    const lagg = memberOf.get(device);
    if (!lagg) continue;
    const name = fieldText(lagg, 'laggif');
    const descr = fieldText(lagg, 'descr');
    refusals.push(
      `${device}, ${roles.join(' and ')} in the topology, is a member of the base's LAGG ${name}${descr ? ` (${descr})` : ''}: a LAGG member carries no traffic of its own, and OPNsense refuses a LAGG with an assigned member; ` +
        `use device ${name} in the topology instead (interface devices, and VLAN parents through their interface), or remove ${device} from the LAGG in the backup`,
    );
  }
  return refusals;
}
