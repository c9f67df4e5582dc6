// The DNS servers the firewall's DHCP hands out, against the policy: the
// clients of a network must be able to reach each of them, over UDP 53 and
// over TCP 53, or they resolve nothing (or only small answers).
import { type Verdict, sourcesFlowVerdicts } from '../flows.js';
import type { Range } from '../intervals.js';
import type { Dhcp, FirewallInterface, Site } from '../model.js';
import { parseIPv4 } from '../net.js';
import { DNS_OVER_TCP_HINT, DNS_OVER_TCP_WHY, filteredServer, firewallAddresses } from './dns-servers.js';
import type { Rule, RuleReport } from './rule.js';

/** One DNS server a DHCP network's clients get, reached through the firewall. */
interface DhcpDnsQuery {
  iface: FirewallInterface;
  dhcp: Dhcp;
  server: string;
  /** Index in dhcp.dns; undefined for the firewall's own address, handed out when dns: is left out. */
  index?: number;
  /** Whether the server is one of the firewall's addresses. */
  firewall: boolean;
  /** The clients: the pool and the reservations. */
  from: Range[];
  to: number;
}

interface SiteDhcpDns {
  queries: DhcpDnsQuery[];
  /** The verdict on UDP 53 from the clients to the server, per query (the first that denies some of them). */
  udp: Verdict[];
}

/**
 * The queries of each DHCP network in a zone (the policy filters it) to the
 * DNS servers it is handed: dhcp.dns, else the firewall's address on the
 * network. A server on the network itself is reached on its bridge, not
 * through the firewall (the firewall's own address there is filtered), and
 * a loopback address is the client's own.
 */
function dhcpDnsQueries(site: Site): DhcpDnsQuery[] {
  const fw = site.firewall;
  if (!fw) return [];
  const firewall = firewallAddresses(site);
  // Looked up once: a site with a thousand VLANs asks for each of them.
  const networks = new Map(site.networks.map((n) => [n.id, n]));
  const zoned = new Set(site.policy.zones.flatMap((z) => z.members.flatMap((m) => (m.kind === 'network' && m.network !== undefined ? [m.network] : []))));
  const queries: DhcpDnsQuery[] = [];
  for (const iface of fw.interfaces) {
    const dhcp = iface.dhcp;
    const network = iface.network === undefined ? undefined : networks.get(iface.network);
    if (!dhcp || !network || !zoned.has(network.id)) continue;
    const first = parseIPv4(dhcp.from);
    const last = parseIPv4(dhcp.to);
    const from: Range[] = first !== undefined && last !== undefined && first <= last ? [[first, last]] : [];
    for (const host of dhcp.static) {
      const address = parseIPv4(host.address);
      if (address !== undefined) from.push([address, address]);
    }
    if (from.length === 0) continue;
    const servers = dhcp.dns.length > 0 ? dhcp.dns.map((server, index) => ({ server, index })) : iface.address !== undefined ? [{ server: iface.address, index: undefined }] : [];
    for (const { server, index } of servers) {
      const to = filteredServer(server, network, firewall);
      if (to !== undefined) queries.push({ iface, dhcp, server, index, firewall: firewall.has(server), from, to });
    }
  }
  return queries;
}

// Made once per site and read by both rules: the UDP verdicts cost a partition of the site's rules.
const made = new WeakMap<Site, SiteDhcpDns>();

function dhcpDnsOf(site: Site): SiteDhcpDns {
  let known = made.get(site);
  if (!known) {
    const queries = dhcpDnsQueries(site);
    made.set(site, (known = { queries, udp: sourcesFlowVerdicts(site, queries, 'udp', 53) }));
  }
  return known;
}

/** Where a server is written: its dhcp.dns entry, or the dhcp block that leaves dns: out. */
function serverPath(query: DhcpDnsQuery) {
  return query.index === undefined ? query.dhcp.path : query.dhcp.path.concat('dns', query.index);
}

function reportBlocked(query: DhcpDnsQuery, verdict: Verdict, report: RuleReport): void {
  const { iface, server } = query;
  const before = verdict.path ? ` before ${verdict.decidedBy}` : '';
  const target = query.firewall ? 'self' : server;
  report({
    path: serverPath(query),
    message: query.firewall
      ? `DHCP on ${iface.name} gives its clients the firewall (${server}) as DNS server, but ${verdict.decidedBy} blocks DNS from ${iface.name} to the firewall: ` +
        'set dns: to resolvers the network may reach, or pass UDP/TCP 53 to self first'
      : `DHCP on ${iface.name} gives its clients ${server} as DNS server, but ${verdict.decidedBy} blocks DNS (UDP 53) from ${iface.name} to ${server}: ` +
        `set dns: to resolvers the network may reach, or pass UDP/TCP 53 to ${server} first`,
    hint: `Set dhcp.dns on interface ${iface.name} to resolvers it may reach (e.g. [1.1.1.1, 9.9.9.9]), or add a rule passing UDP and TCP 53 from ${iface.name} to ${target}${before}.`,
  });
}

export const dhcpDnsRules: Rule[] = [
  {
    id: 'opnsense/dhcp-dns-blocked',
    severity: 'error',
    summary: "The policy blocks DNS (UDP 53) from a network's DHCP clients to a DNS server the firewall's DHCP hands them.",
    why:
      'The DHCP server hands out dhcp.dns, or without it the firewall itself as resolver (dnsmasq: dhcp-option 6 set to its own address). ' +
      'A zone that may not reach that server (to: internet blocks the firewall and the internal networks) resolves nothing, or waits for the blocked server to time out at every lookup that tries it.',
    hint: 'Set dhcp.dns to resolvers the zone may reach (e.g. public ones), or add a rule that passes UDP and TCP 53 from the zone to them before the one that blocks them.',
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].firewall.interfaces[websvc]',
        bad: 'name: websvc\ndhcp: {}',
        good: 'name: websvc\ndhcp: { dns: [1.1.1.1, 9.9.9.9] }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const { queries, udp } = dhcpDnsOf(site);
        queries.forEach((query, i) => {
          if (udp[i]!.verdict === 'deny') reportBlocked(query, udp[i]!, report);
        });
      }
    },
  },
  {
    id: 'opnsense/dhcp-dns-tcp-blocked',
    severity: 'warning',
    summary: "The policy passes DNS over UDP from a network's DHCP clients to a DNS server the firewall's DHCP hands them, but blocks it over TCP.",
    why: DNS_OVER_TCP_WHY,
    hint: DNS_OVER_TCP_HINT,
    examples: [
      {
        topology: 'vlan-hosting',
        // HTTPS has a rule of its own, so the hosting zone's other tests keep their verdicts.
        where: 'sites[].policy.rules[hosting-internet-only]',
        context: [{ where: 'sites[].policy.rules[+]', snippet: '{ name: hosting-https, from: hosting, to: internet, proto: tcp, ports: [443], action: pass }' }],
        bad: 'proto: udp',
        good: 'proto: tcp/udp',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const { queries, udp } = dhcpDnsOf(site);
        const passing = queries.filter((_, i) => udp[i]!.verdict !== 'deny');
        const tcp = sourcesFlowVerdicts(site, passing, 'tcp', 53);
        passing.forEach((query, i) => {
          const verdict = tcp[i]!;
          if (verdict.verdict !== 'deny') return;
          const { iface, server } = query;
          const target = query.firewall ? 'self' : server;
          report({
            path: serverPath(query),
            message: `DHCP on ${iface.name} gives its clients ${query.firewall ? `the firewall (${server})` : server} as DNS server: DNS to it passes over UDP, but ${verdict.decidedBy} blocks it over TCP 53, so lookups whose answers do not fit a UDP packet fail`,
            hint: `Pass TCP 53 too from ${iface.name} (its zone) to ${target}${verdict.path ? ` before ${verdict.decidedBy}` : ''}, e.g. proto: tcp/udp.`,
          });
        });
      }
    },
  },
];
