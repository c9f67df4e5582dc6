// The box's dnsmasq Hosts with MACs for which OPNsense's template writes no dhcp-host line: it skips a Host without a
// client id whose MAC list holds no ':' (templates/OPNsense/Dnsmasq/dnsmasq.conf, 25.7 to 26.7), though the model
// takes a MAC written with dashes or dots (MacAddressField.php: FILTER_VALIDATE_MAC). dnsmasq then knows none of its
// MACs: none gets its addresses, lease time, tag or ignore, and nothing says so. Said at merge with what to change.
import { type XmlElement, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldList } from './fields.js';
import { dnsmasqEnabled } from './dnsmasq-enabled.js';
import { hostAddresses, hostLabel, withColons, writesDhcpHost } from './dnsmasq-dhcp-hosts.js';

/** A warning for each Host of the enabled dnsmasq of the merged config `root` that lists MACs and gets no dhcp-host line. */
export function linelessHosts(root: XmlElement): string[] {
  const dnsmasq = child(root, 'dnsmasq');
  if (!dnsmasqEnabled(dnsmasq)) return [];
  const out: string[] = [];
  for (const host of childrenNamed(dnsmasq, 'hosts')) {
    const macs = fieldList(host, 'hwaddr');
    if (macs.length === 0 || writesDhcpHost(host)) continue;
    const addresses = hostAddresses(host);
    out.push(
      `the box's ${hostLabel(host)} has no client id and none of its MACs has a ':', so OPNsense's template writes no dhcp-host line for it ` +
        `(only for a Host with a client id or a MAC with colons): dnsmasq knows none of its MACs, and a client of them ` +
        `${addresses.length > 0 ? `does not get its reservation of ${addresses.join(', ')}` : "gets none of the Host's name, lease time, tag or ignore"}; ` +
        `write the Host's MACs with colons (${macs.map(withColons).join(',')}) in Services › Dnsmasq DNS & DHCP › Hosts`,
    );
  }
  return out;
}
