// The lease time dnsmasq gives a client of a reservation, as OPNsense's
// template writes it (templates/OPNsense/Dnsmasq/dnsmasq.conf, 25.7 to 26.7):
// a Host's lease time on its dhcp-host line when it has one (0 as infinite),
// which dnsmasq takes over its range's (rfc2131.c calc_time(), CONFIG_TIME),
// else its range's, 86400 when empty. option.c raises a lease below 120
// seconds to 120. calc_time() grants a client the shorter lease it asks for
// (120 seconds at least), so this is the longest a client gets.
import { type XmlElement, childrenNamed, isElement } from '../render/opnsense/xml.js';
import { contains, parseIPv4 } from '../net.js';
import { fieldText } from './fields.js';
import { networkOf } from './vips.js';

/** A lease time field as dnsmasq reads its line: 'infinite', else seconds. */
function effective(lease: string): string {
  return lease === '0' ? 'infinite' : String(Math.max(120, Number(lease)));
}

/** The lease time of a Host's dhcp-host line, if it has one of digits (a signed one is refused: dnsmasq-refusals.ts). */
export function hostLeaseTime(host: XmlElement): string | undefined {
  const lease = fieldText(host, 'lease_time');
  return /^\d+$/.test(lease) ? effective(lease) : undefined;
}

/** The lease time of gen's range (in gen's `sections`) on the interface whose network holds the IPv4 address `ip`, if any. */
export function genRangeLeaseTime(sections: readonly XmlElement[], ip: string): string | undefined {
  const address = parseIPv4(ip);
  if (address === undefined) return undefined;
  const interfaces = sections.find((s) => s.name === 'interfaces');
  const keys = new Set(
    (interfaces?.children ?? []).filter(isElement).filter((entry) => {
      const block = networkOf(entry)?.block;
      return block !== undefined && contains(block, address);
    }).map((entry) => entry.name),
  );
  const range = sections
    .filter((s) => s.name === 'dnsmasq')
    .flatMap((s) => childrenNamed(s, 'dhcp_ranges'))
    .find((r) => keys.has(fieldText(r, 'interface')) && !fieldText(r, 'start_addr').includes(':'));
  return range === undefined ? undefined : effective(fieldText(range, 'lease_time') || '86400');
}
