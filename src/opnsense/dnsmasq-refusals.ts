// The items of a merged config whose dnsmasq.conf line makes dnsmasq refuse to
// start, though OPNsense's dnsmasq model takes each of them (Dnsmasq.xml,
// Dnsmasq.php, 25.7 to 26.7). dnsmasq reads its whole configuration before it
// serves anything, and a line it cannot take ends it (option.c one_opt(),
// "... at line N of /usr/local/etc/dnsmasq.conf"): no DHCP on any interface,
// gen's included, and no DNS where dnsmasq answers it. Read from option.c,
// whose dhcp-range, ra-param and dhcp-host parsing is the same at 2.90 (the
// real-tool tests' Debian build) and every version the releases install.
// What OPNsense's template (templates/OPNsense/Dnsmasq/dnsmasq.conf) writes:
// - a range whose start has no ':' (IPv4): dhcp-range=[tag:<device>,][set:<tag>,]
//   start,[end,][mode,][subnet_mask,]lease. With a mask, option.c wants start
//   and end in one network of it ("inconsistent DHCP range"); the model never
//   compares them;
// - any other range (IPv6): ...start,[end,][constructor:<device>,][mode,]
//   [ra_mode,]prefix,lease, prefix_len (1 to 64) or 64. option.c wants a
//   prefix length of at least 64 ("prefix length must be at least 64"; the
//   model asks for it only with an RA mode), the end in the start's network
//   of that length ("inconsistent DHCPv6 range"), and a constructor range's
//   start zero in those bits ('prefix must be zero with "constructor:"
//   argument'; the model asks for an address beginning with '::' only);
// - the lease time (an IntegerField, which takes a sign) as written, 0 as
//   infinite: option.c takes only digits ("bad dhcp-range");
// - ra-param=<device>[,mtu:<ra_mtu>][,<priority>],<interval or 60>,<lifetime
//   or 1200> for a range with an RA mode and an interface: a numeric MTU
//   below 1280, or an interval or lifetime that is not digits, is "bad
//   RA-params" (option.c; IntegerFields without bounds in the model);
// - dhcp-host= for each Host with a client id or a MAC with ':': an IPv4
//   address an earlier such line reserves is "duplicate dhcp-host IP address".
//   The model refuses that only in the Host saved last; a merge puts gen's
//   reservations beside the box's, each saved on its own;
//   and its lease time (an IntegerField) after its name, 0 as infinite:
//   option.c takes a word of digits (with a unit letter) as the lease time
//   and any other as the Host's name, so a sign makes it one. 2.90 refuses
//   it as a name ("bad DHCP host name": legal_hostname() wants a letter or
//   digit first); from 2.91 a Host with a name already has one ("DHCP host
//   has multiple names"), one without is refused as at 2.90. Its MACs come
//   first, each a word: option.c takes a word as a MAC only with a ':', so
//   a MAC the model takes in another form (FILTER_VALIDATE_MAC:
//   52-54-00-aa-bb-cc, 5254.00aa.bbcc) is a name, and from 2.91 a second
//   name word (another such MAC, the Host's name, a signed lease) refuses
//   the line;
// - dhcp-option= and dhcp-match= for each DHCP option, its value as typed,
//   which dnsmasq reads by its table of options (dnsmasq-option-values.ts):
//   the model checks only a few options' values, 25.7's none;
// - interface= with bind-interfaces: a listed device without an address ends
//   dnsmasq as it starts, not as it reads the file (dnsmasq-unaddressed.ts).
import { type XmlElement, attr, child, childrenNamed, textOf } from '../render/opnsense/xml.js';
import { parseIPv4, parseIPv6 } from '../net.js';
import { appendAll } from '../arrays.js';
import { assignmentName, fieldText } from './fields.js';
import { dnsmasqEnabled } from './dnsmasq-enabled.js';
import { dnsmasqDnsPort } from './dnsmasq-answer.js';
import { networkKey } from './ipv6-links.js';
import { hostAddresses, hostLabel, macsWithoutColons, withColons, writesDhcpHost } from './dnsmasq-dhcp-hosts.js';
import { optionKinds } from './dnsmasq-option-table.js';
import { optionValueRefusal } from './dnsmasq-option-values.js';
import { unaddressedListened } from './dnsmasq-unaddressed.js';
import type { Ipv6Facts } from './ipv6-allowed.js';
import { dnsmasqAtLeast } from './dnsmasq-version.js';

const RANGES = 'Services › Dnsmasq DNS & DHCP › DHCP ranges';
const HOSTS = 'Services › Dnsmasq DNS & DHCP › Hosts';
const OPTIONS = 'Services › Dnsmasq DNS & DHCP › DHCP options';
const GENERAL = 'Services › Dnsmasq DNS & DHCP › General';

/** What dnsmasq prints for a line, why, and what to change. */
interface Refusal {
  prints: string;
  why: string;
  fix: string;
}

const DIGITS = /^\d+$/;

/** An item as a message names it: its description, else its uuid, with what identifies it on its page. */
function label(kind: string, item: XmlElement, descriptionField: string, shown: string): string {
  const description = fieldText(item, descriptionField);
  return `${kind} ${description ? JSON.stringify(description) : (attr(item, 'uuid') ?? '(no uuid)')} (${shown})`;
}

function bytes6(text: string): number[] | undefined {
  return parseIPv6(text)?.toByteArray();
}

/** The lease time as the template writes it, refused where option.c takes no number from it. */
function leaseRefusal(range: XmlElement): Refusal | undefined {
  const lease = fieldText(range, 'lease_time');
  if (lease === '' || DIGITS.test(lease)) return undefined;
  return { prints: 'bad dhcp-range', why: `its lease time ${lease} is not a number of seconds`, fix: 'set a lease time of 0 (infinite) or more seconds, or none' };
}

/** The refusal of an IPv4 range's dhcp-range line, if any. */
function ipv4Refusal(range: XmlElement): Refusal | undefined {
  const [start, end, mask] = ['start_addr', 'end_addr', 'subnet_mask'].map((f) => parseIPv4(fieldText(range, f)));
  if (start !== undefined && end !== undefined && mask !== undefined && ((start ^ end) & mask) !== 0) {
    return {
      prints: 'inconsistent DHCP range',
      why: `its start and end are in different networks of its subnet mask ${fieldText(range, 'subnet_mask')}`,
      fix: 'give it a subnet mask whose network holds both, or an end in the network of its start',
    };
  }
  return leaseRefusal(range);
}

/** The refusal of an IPv6 range's dhcp-range line, if any, in option.c's order. */
function ipv6Refusal(range: XmlElement): Refusal | undefined {
  const prefix = Number(fieldText(range, 'prefix_len') || '64');
  if (prefix < 64) {
    return { prints: 'prefix length must be at least 64', why: `its prefix length is ${prefix}`, fix: 'set its prefix length to 64, or leave it empty' };
  }
  const start = bytes6(fieldText(range, 'start_addr'));
  const end = fieldText(range, 'end_addr');
  const endBytes = end === '' ? start : bytes6(end);
  if (start && endBytes && networkKey(start, prefix) !== networkKey(endBytes, prefix)) {
    return { prints: 'inconsistent DHCPv6 range', why: `its end is not in the /${prefix} network of its start`, fix: `give it an end address in the /${prefix} network of its start` };
  }
  if (start && fieldText(range, 'constructor') !== '' && networkKey(start, prefix) !== networkKey(new Array<number>(16).fill(0), prefix)) {
    return {
      prints: 'prefix must be zero with "constructor:" argument',
      why: `its start has bits set in the first ${prefix}, which the constructor takes from the interface's address`,
      fix: `give it a start and end such as ::1000 and ::2000, zero in the first ${prefix} bits`,
    };
  }
  return leaseRefusal(range);
}

/** The refusal of the ra-param line of a range with an RA mode and an interface, if any. */
function raParamRefusal(range: XmlElement): Refusal | undefined {
  if (fieldText(range, 'ra_mode') === '' || fieldText(range, 'interface') === '') return undefined;
  const mtu = fieldText(range, 'ra_mtu');
  // A non-numeric MTU is an interface's name to option.c, whose MTU is taken: not refused.
  if (DIGITS.test(mtu) && Number(mtu) < 1280) return { prints: 'bad RA-params', why: `its RA MTU ${mtu} is below IPv6's minimum of 1280`, fix: 'set an RA MTU of 1280 or more, or none' };
  for (const [field, name] of [['ra_interval', 'RA interval'], ['ra_router_lifetime', 'RA router lifetime']] as const) {
    const value = fieldText(range, field);
    if (value !== '' && !DIGITS.test(value)) return { prints: 'bad RA-params', why: `its ${name} ${value} is not a number of seconds`, fix: `set an ${name} of 0 or more seconds, or none` };
  }
  return undefined;
}

/**
 * The refusal, at dnsmasq `version`, of a Host's line for a second name word among its MACs (`early`: before its
 * addresses) or at its name (after them), if any.
 */
function hostMacRefusal(host: XmlElement, version: string, early: boolean): Refusal | undefined {
  const named = macsWithoutColons(host);
  const name = fieldText(host, 'host');
  if (!dnsmasqAtLeast(version, '2.91') || named.length === 0) return undefined;
  if (early !== named.length > 1) return undefined;
  if (!early && name === '') return undefined;
  return {
    prints: 'DHCP host has multiple names',
    why: `dnsmasq ${version} takes a word as a MAC only with a ':', so it reads ${named[0]} as the Host's name, and then ${early ? `${named[1]}` : `its name ${name}`} as a second`,
    fix: `write the Host's MACs with colons (${named.map(withColons).join(', ')})`,
  };
}

/** The refusal of a Host's lease time on its dhcp-host line at dnsmasq `version`, if any. */
function hostLeaseRefusal(host: XmlElement, version: string): Refusal | undefined {
  const lease = fieldText(host, 'lease_time');
  if (lease === '' || DIGITS.test(lease)) return undefined;
  // A MAC read as a name is one too (hostMacRefusal()).
  const named = (fieldText(host, 'host') !== '' || macsWithoutColons(host).length > 0) && dnsmasqAtLeast(version, '2.91');
  return {
    prints: named ? 'DHCP host has multiple names' : 'bad DHCP host name',
    why: `its lease time ${lease} is not a number of seconds, so dnsmasq ${version} reads it as ${named ? 'a second name' : 'its name'}`,
    fix: 'set a lease time of 0 (infinite) or more seconds, or none',
  };
}

/** Whether dnsmasq `version` refuses the Host's line at a word it reads as a name: a MAC without ':', its name, a signed lease. */
export function refusesHostNames(host: XmlElement, version: string): boolean {
  return (hostMacRefusal(host, version, true) ?? hostMacRefusal(host, version, false) ?? hostLeaseRefusal(host, version)) !== undefined;
}

function said(item: string, refusal: Refusal, where: string, dns: string): string {
  return (
    `dnsmasq refuses to start with the merged config: the ${item} makes it print "${refusal.prints}" (${refusal.why}), although OPNsense saved it; ` +
    `with dnsmasq down the box serves no DHCP (the topology's included)${dns}. ${refusal.fix[0]!.toUpperCase()}${refusal.fix.slice(1)} (${where})`
  );
}

/** The warnings of the DHCP options of `dnsmasq` whose lines dnsmasq `version` refuses. */
function optionRefusals(dnsmasq: XmlElement, version: string, dns: string): string[] {
  const kinds = { 4: optionKinds(4, version), 6: optionKinds(6, version) } as const;
  const out: string[] = [];
  for (const option of childrenNamed(dnsmasq, 'dhcp_options')) {
    // The template writes a line of type set or match only, of option6 where it has one, the value only where there is one.
    const type = fieldText(option, 'type');
    const [v4, v6] = [fieldText(option, 'option'), fieldText(option, 'option6')];
    const raw = textOf(child(option, 'value'));
    if ((type !== 'set' && type !== 'match') || !DIGITS.test(v6 || v4) || raw.trim() === '') continue;
    const family = v6 ? 6 : 4;
    const refusal = optionValueRefusal(family, Number(v6 || v4), raw, kinds[family], type === 'match');
    if (!refusal) continue;
    const shown = `${type === 'match' ? 'a match on ' : ''}${v6 ? `option6 ${v6}` : `option ${v4}`}, value ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw)}`;
    out.push(said(label('DHCP option', option, 'description', shown), refusal, OPTIONS, dns));
  }
  return out;
}

/**
 * A warning for each item of the merged config `root` whose line makes its enabled dnsmasq (of `version`, as the
 * release installs it) refuse to start; `ipv6`: how the release configures its interfaces' IPv6 types.
 */
export function dnsmasqRefusals(root: XmlElement, version: string, ipv6: Ipv6Facts): string[] {
  const dnsmasq = child(root, 'dnsmasq');
  if (!dnsmasqEnabled(dnsmasq)) return [];
  const port = dnsmasqDnsPort(root);
  const dns = port === undefined ? '' : ` and no DNS on port ${port}`;
  const out: string[] = [];
  for (const range of childrenNamed(dnsmasq, 'dhcp_ranges')) {
    const start = fieldText(range, 'start_addr');
    if (start === '') continue;
    const end = fieldText(range, 'end_addr');
    const item = label('DHCP range', range, 'description', end === '' ? start : `${start}-${end}`);
    const refusal = start.includes(':') ? ipv6Refusal(range) : ipv4Refusal(range);
    if (refusal) out.push(said(item, refusal, RANGES, dns));
    const ra = raParamRefusal(range);
    if (ra) out.push(said(`${item}, its router advertisement settings,`, ra, RANGES, dns));
  }
  // The dhcp-host lines in the order written, each IPv4 address with the first Host that reserves it.
  const reserved = new Map<string, XmlElement>();
  for (const host of childrenNamed(dnsmasq, 'hosts')) {
    if (!writesDhcpHost(host)) continue;
    // Refused at its MACs, the line reserves no address.
    const early = hostMacRefusal(host, version, true);
    if (early) {
      out.push(said(hostLabel(host), early, HOSTS, dns));
      continue;
    }
    let refused = false;
    for (const ip of hostAddresses(host)) {
      if (!ip.includes('.') || parseIPv4(ip) === undefined) continue;
      const first = reserved.get(ip);
      if (first === undefined) reserved.set(ip, host);
      else if (first !== host) {
        out.push(said(hostLabel(host), { prints: `duplicate dhcp-host IP address ${ip}`, why: `the ${hostLabel(first)} reserves ${ip} too`, fix: "give one of them another address, or remove one (the topology's reservations in topology.yaml)" }, HOSTS, dns));
        refused = true;
      }
    }
    // dnsmasq stops at the first word of a line it refuses, and the name and then the lease time come after the addresses.
    const late = refused ? undefined : (hostMacRefusal(host, version, false) ?? hostLeaseRefusal(host, version));
    if (late) out.push(said(hostLabel(host), late, HOSTS, dns));
  }
  for (const { entry, bridge, types, ipv6Off } of unaddressedListened(root, ipv6)) {
    const device = fieldText(entry, 'if');
    const page = `Interfaces › ${fieldText(entry, 'descr') || entry.name.toUpperCase()}`;
    const binds = 'with Strict interface binding dnsmasq binds the addresses of each listed device as it starts';
    const has = types.length === 0 ? 'the interface has no IPv4 or IPv6 address type, IP alias or CARP VIP' : `OPNsense configures no address of the interface's ${types.join(' or ')}, and it has no IP alias or CARP VIP`;
    out.push(
      said(`listed interface ${assignmentName(entry)}`, bridge ? {
        prints: `unknown interface ${device}`,
        why: `${binds}, and ${has}, and ${device} is a bridge without a link-local address, so it has none`,
        fix: `give the interface an address (${page})${ipv6Off ? ', turn IPv6 on (Interfaces › Settings)' : ''}, enable the link-local address of ${device} (Interfaces › Devices › Bridge), take it out of Dnsmasq's Interface list, or turn Strict interface binding off`,
      } : {
        prints: `unknown interface ${device}`,
        why: `${binds}, and the interface is disabled, so ${device} has none`,
        fix: `enable the interface (${page}), take it out of Dnsmasq's Interface list, or turn Strict interface binding off`,
      }, GENERAL, dns),
    );
  }
  return appendAll(out, optionRefusals(dnsmasq!, version, dns));
}
