// The clients gen hands the firewall as DNS server where the box's Unbound
// is the resolver that answers them (firewall-dns-clients.ts): full-tunnel
// WireGuard clients and those of the interfaces gen serves DHCP on, by ISC
// or dnsmasq (whose template hands out the firewall's own address on the
// link unless an option 6 names servers). Unbound's access lists decide
// whether it resolves their queries (unbound-acl.ts); a box whose default
// action refuses or denies, with lists for its own networks, leaves a
// network gen adds without names.
import { type XmlElement } from '../render/opnsense/xml.js';
import { UNBOUND_ACCESS_LISTS } from '../targets/opnsense/unbound.js';
import { blockRange, toCidrs } from '../intervals.js';
import { parseAddressWithPrefix } from '../net.js';
import { type DnsFacts, type TunnelDns, boxServers, dnsmasqAnswersAt, dnsmasqClients, iscClients, unboundAnswers } from './firewall-dns-clients.js';
import { aclRefusalText, unboundAclLines, unboundAclRefusals } from './unbound-acl.js';

/**
 * Warnings for the clients gen gives the firewall as DNS server (full-tunnel WireGuard clients, those of its DHCP
 * interfaces, by ISC or dnsmasq) where the box's Unbound, the resolver that answers them there, does not resolve
 * their queries by its access lists (deny, refuse, or local data only).
 */
export function aclRefusedClients(facts: DnsFacts, sections: readonly XmlElement[], tunnels: readonly TunnelDns[]): string[] {
  const lines = unboundAclLines(facts.root);
  const groups = [
    ...tunnels.flatMap((t) => {
      const block = parseAddressWithPrefix(t.network)?.block;
      return block === undefined ? [] : [{ who: `the clients of WireGuard instance ${t.instance} (a full tunnel)`, device: `wg${t.number}`, range: blockRange(block), servers: t.servers }];
    }),
    ...iscClients(facts, sections).map((c) => ({ who: `the ISC DHCP clients on ${c.key}`, device: c.device, range: c.range, servers: c.servers })),
    ...dnsmasqClients(facts, sections).map((c) => ({ who: `the dnsmasq DHCP clients on ${c.key}`, device: c.device, range: c.range, servers: c.servers })),
  ];
  const out: string[] = [];
  for (const group of groups) {
    // The servers of the box that Unbound, not dnsmasq, answers for them.
    const asked = boxServers(group.servers, facts)
      .filter(({ address, device }) => unboundAnswers(facts, address, device) && !dnsmasqAnswersAt(facts, address, device, group.device))
      .map(({ server }) => server);
    if (asked.length === 0) continue;
    const refused = unboundAclRefusals(lines, group.range);
    if (refused.length === 0) continue;
    const cidrs = toCidrs(refused.map((r) => r.range));
    out.push(
      `${group.who} ask the firewall's ${asked.join(', ')} for names, where the box's Unbound DNS answers, but it ${refused.map(aclRefusalText).join('; ')}: ` +
        `those clients resolve no name there; allow ${cidrs.join(', ')} in ${UNBOUND_ACCESS_LISTS} (an access list with action Allow)`,
    );
  }
  return out;
}
