// The clients handed the firewall as DNS server where the box's Unbound is
// the resolver that answers them: full-tunnel WireGuard clients and those of
// gen's ISC DHCP interfaces (firewall-dns-clients.ts), and the IPv4 ranges
// the merged dnsmasq hands the firewall out on where dnsmasq does not answer
// but a resolver does (dnsmasq-firewall-dns.ts firewallDnsRanges(), as the
// other merge warnings read them). Unbound's access lists decide
// whether it resolves their queries (unbound-acl.ts); a box whose default
// action refuses or denies, with lists for its own networks, leaves a
// network gen adds without names.
import { type XmlElement, child } from '../render/opnsense/xml.js';
import { UNBOUND_ACCESS_LISTS } from '../targets/opnsense/unbound.js';
import { type Range, blockRange, toCidrs } from '../intervals.js';
import { formatIPv4, parseAddressWithPrefix, parseIPv4 } from '../net.js';
import { type DnsFacts, type TunnelDns, addressedInterface, boxServers, dnsmasqAnswersAt, iscClients, unboundAnswers } from './firewall-dns-clients.js';
import { firewallDnsRanges } from './dnsmasq-firewall-dns.js';
import type { Ipv6Facts } from './ipv6-allowed.js';
import { dnsmasqEnabled } from './dnsmasq-enabled.js';
import { fieldText } from './fields.js';
import { aclRefusalText, unboundAclLines, unboundAclRefusals } from './unbound-acl.js';

/**
 * The IPv4 ranges the merged dnsmasq serves whose DHCP clients get the firewall as DNS server where Unbound, not
 * dnsmasq, answers them: handed out where dnsmasq does not answer, less where nothing does; each with the interfaces
 * (none: a range of no interface, on every one).
 */
function unboundAskingRanges(root: XmlElement, firewallDns6: boolean, ipv6: Ipv6Facts): { range: Range; on: string[] }[] {
  if (!dnsmasqEnabled(child(root, 'dnsmasq'))) return [];
  const unanswered = new Map(firewallDnsRanges(root, firewallDns6, ipv6).map(({ range, on }) => [range, on]));
  return firewallDnsRanges(root, firewallDns6, ipv6, 'dnsmasq').flatMap(({ range, on }) => {
    const [start, end] = [parseIPv4(fieldText(range, 'start_addr')), parseIPv4(fieldText(range, 'end_addr'))];
    if (start === undefined || end === undefined || end < start) return [];
    const lost = unanswered.get(range);
    if (lost !== undefined && lost.length === 0) return [];
    const asking = on.filter((key) => !lost?.includes(key));
    return on.length > 0 && asking.length === 0 ? [] : [{ range: [start, end] as const, on: asking }];
  });
}

/**
 * Warnings for the clients handed the firewall as DNS server (full-tunnel WireGuard clients, those of gen's ISC DHCP
 * interfaces and of the merged dnsmasq's ranges) where the box's Unbound, the resolver that answers them there, does
 * not resolve their queries by its access lists (deny, refuse, or local data only). `firewallDns6`: whether the
 * release's dnsmasq.conf hands out the firewall as IPv6 DNS server by default; `ipv6`: its IPv6 facts (ipv6-allowed.ts).
 */
export function aclRefusedClients(facts: DnsFacts, sections: readonly XmlElement[], tunnels: readonly TunnelDns[], firewallDns6: boolean, ipv6: Ipv6Facts): string[] {
  const lines = unboundAclLines(facts.root);
  // Who asks, at which of the firewall's addresses Unbound answers them (none named: the firewall as dnsmasq hands it out), from which addresses.
  const askedAt = (servers: readonly string[], device: string) =>
    boxServers(servers, facts)
      .filter(({ address, device: holder }) => unboundAnswers(facts, address, holder) && !dnsmasqAnswersAt(facts, address, holder, device))
      .map(({ server }) => server);
  // What to allow: the networks of the interfaces the clients are on, where known (a DHCP range's own bounds cut into
  // many blocks), else the refused addresses.
  const networksOf = (keys: readonly string[]) => keys.flatMap((key) => {
    const iface = addressedInterface(facts, key);
    return iface === undefined ? [] : [iface.range];
  });
  const groups: { who: string; range: Range; asked: string[] | undefined; networks?: Range[] }[] = [
    ...tunnels.flatMap((t) => {
      const block = parseAddressWithPrefix(t.network)?.block;
      return block === undefined ? [] : [{ who: `the clients of WireGuard instance ${t.instance} (a full tunnel)`, range: blockRange(block), asked: askedAt(t.servers, `wg${t.number}`) }];
    }),
    ...iscClients(facts, sections).map((c) => ({ who: `the ISC DHCP clients on ${c.key}`, range: c.range, asked: askedAt(c.servers, c.device) })),
    ...unboundAskingRanges(facts.root, firewallDns6, ipv6).map(({ range, on }) => ({
      who: `the dnsmasq DHCP clients of the range ${formatIPv4(range[0])}-${formatIPv4(range[1])} ${on.length > 0 ? `on ${on.join(', ')}` : 'of no interface'}`,
      range,
      // firewallDnsRanges() found Unbound answering the firewall these clients are handed; no address of it named.
      asked: undefined,
      networks: networksOf(on),
    })),
  ];
  const out: string[] = [];
  for (const group of groups) {
    if (group.asked?.length === 0) continue;
    const refused = unboundAclRefusals(lines, group.range);
    if (refused.length === 0) continue;
    const cidrs = toCidrs(group.networks !== undefined && group.networks.length > 0 ? group.networks : refused.map((r) => r.range));
    const at = group.asked === undefined ? 'the firewall' : `the firewall's ${group.asked.join(', ')}`;
    out.push(
      `${group.who} ask ${at} for names, where the box's Unbound DNS answers, but it ${refused.map(aclRefusalText).join('; ')}: ` +
        `those clients resolve no name there; allow ${cidrs.join(', ')} in ${UNBOUND_ACCESS_LISTS} (an access list with action Allow)`,
    );
  }
  return out;
}
