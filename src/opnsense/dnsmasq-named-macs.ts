// The box's dnsmasq Hosts with a dhcp-host line (a client id or a MAC with
// ':') whose MAC list holds a MAC the model takes in another form
// (FILTER_VALIDATE_MAC: 52-54-00-aa-bb-cc, 5254.00aa.bbcc) on a line dnsmasq
// takes. OPNsense's template writes the list as it is
// (templates/OPNsense/Dnsmasq/dnsmasq.conf, 25.7 to 26.7), and option.c takes
// a word as a MAC only with a ':' and reads another as the Host's name (2.90
// keeps the last name word; from 2.91 a second refuses the line, which
// dnsmasq-refusals.ts names): from 2.91 that is a Host without a name and one
// such MAC. Its client gets nothing of the Host, and without a name of its
// own the Host's other clients get that word as their name: nothing says so.
import { type XmlElement, child, childrenNamed } from '../render/opnsense/xml.js';
import { fieldList, fieldText } from './fields.js';
import { dnsmasqEnabled } from './dnsmasq-enabled.js';
import { hostAddresses, hostLabel, macsWithoutColons, withColons, writesDhcpHost } from './dnsmasq-dhcp-hosts.js';
import { refusesHostNames } from './dnsmasq-refusals.js';

/** A warning for each Host of the enabled dnsmasq (of `version`) of the merged config `root` whose line dnsmasq takes with a MAC read as a name. */
export function namedMacs(root: XmlElement, version: string): string[] {
  const dnsmasq = child(root, 'dnsmasq');
  if (!dnsmasqEnabled(dnsmasq)) return [];
  const out: string[] = [];
  for (const host of childrenNamed(dnsmasq, 'hosts')) {
    const named = macsWithoutColons(host);
    if (named.length === 0 || !writesDhcpHost(host) || refusesHostNames(host, version)) continue;
    const name = fieldText(host, 'host');
    const addresses = hostAddresses(host);
    const them = named.length > 1 ? 'them' : 'it';
    const others = [...fieldList(host, 'hwaddr').filter((m) => m.includes(':')), fieldText(host, 'client_id')].filter((each) => each !== '' && each !== '*');
    out.push(
      `the box's ${hostLabel(host)} lists ${named.join(', ')} without colons, and OPNsense's template writes its MACs as they are on its dhcp-host line: ` +
        `dnsmasq ${version} takes a word as a MAC only with a ':', so it reads ${named.join(', ')} as ${named.length > 1 ? 'names' : 'a name'}, not ${named.length > 1 ? 'MACs' : 'a MAC'}: a client of ${them} ` +
        `${addresses.length > 0 ? `does not get the Host's reservation of ${addresses.join(', ')}` : "gets none of the Host's name, lease time, tag or ignore"}` +
        // Without a name of its own, the last such word is the Host's (option.c keeps the last name word; from 2.91 there is one).
        (name === '' ? `, and the Host's other clients${others.length > 0 ? ` (${others.join(', ')})` : ''} get ${named.at(-1)} as their name` : '') +
        `; write the Host's MACs with colons (${named.map(withColons).join(',')}) in Services › Dnsmasq DNS & DHCP › Hosts`,
    );
  }
  return out;
}
