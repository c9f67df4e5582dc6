// How many of the DNS servers the firewall's DHCP hands out a client asks:
// DHCP carries them all, but a C library's resolver reads three. gen's
// containers without guest.dns get the same list as pct nameserver, so the
// one finding at dhcp.dns names them too.
import { ISC_DHCP_PAGE_DNS_SERVERS } from '../targets/opnsense/isc-dhcp-page.js';
import { RESOLV_CONF_MAXNS } from '../targets/resolv-conf.js';
import type { Guest } from '../model.js';
import type { Rule } from './rule.js';

const ct = (guest: Guest) => `CT ${guest.id} (${guest.name})`;

export const dhcpDnsCountRules: Rule[] = [
  {
    id: 'opnsense/dhcp-dns-ignored',
    severity: 'warning',
    summary: `The firewall's DHCP hands out more DNS servers than a client's C library reads (${RESOLV_CONF_MAXNS}).`,
    why:
      'OPNsense takes any number of servers and its DHCP server hands out all of them (dnsmasq: one dhcp-option 6 with every address; ISC dhcpd: option domain-name-servers with every address). ' +
      `A client whose DHCP client writes each into /etc/resolv.conf (FreeBSD's dhclient-script, for one) and resolves through its C library asks the first ${RESOLV_CONF_MAXNS} only (MAXNS in glibc, musl and FreeBSD's libc): ` +
      'it never asks the others, not even when the first ones fail. ' +
      "A container on the network without guest.dns gets the same list as pct nameserver, which pve-container writes line by line into its /etc/resolv.conf (Setup/Base.pm set_dns): it too asks the first ones only.",
    hint: `List at most ${RESOLV_CONF_MAXNS} in dhcp.dns, the ones such clients should ask, in the order they should ask them.`,
    examples: [
      {
        topology: 'vlan-hosting',
        where: 'sites[].firewall.interfaces[websvc].dhcp',
        bad: 'dns: [1.1.1.1, 9.9.9.9, 1.0.0.1, 149.112.112.112]',
        good: 'dns: [1.1.1.1, 9.9.9.9, 1.0.0.1]',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        for (const iface of site.firewall?.interfaces ?? []) {
          const dns = iface.dhcp?.dns ?? [];
          if (dns.length <= RESOLV_CONF_MAXNS) continue;
          const read = dns.slice(0, RESOLV_CONF_MAXNS);
          const ignored = dns.slice(RESOLV_CONF_MAXNS);
          const inheriting = site.guests.filter((g) => g.kind === 'ct' && g.dns?.from === 'dhcp' && g.dns.interface === iface.name);
          const containers = inheriting.length === 0 ? '' : `, nor ${inheriting.length === 1 ? 'does' : 'do'} ${inheriting.map(ct).join(', ')}, which ${inheriting.length === 1 ? 'gets' : 'get'} them all as nameserver`;
          report({
            path: iface.dhcp!.path.concat('dns', RESOLV_CONF_MAXNS),
            message: `DHCP on ${iface.name} hands out ${dns.length} DNS servers (${dns.join(', ')}), but a client that resolves through /etc/resolv.conf reads the first ${RESOLV_CONF_MAXNS} only, so it never asks ${ignored.join(', ')}${containers}`,
            hint: `List at most ${RESOLV_CONF_MAXNS} in dhcp.dns on interface ${iface.name}, the ones clients should ask (e.g. [${read.join(', ')}]).`,
            ...(inheriting.length > 0 ? { related: inheriting.map((g) => ({ message: `${ct(g)}, without guest.dns`, path: g.path })) } : {}),
          });
        }
      }
    },
  },
  {
    id: 'opnsense/isc-dhcp-dns-dropped',
    severity: 'warning',
    summary: `ISC DHCP hands out more DNS servers than its interface page keeps (${ISC_DHCP_PAGE_DNS_SERVERS}): a save of the page drops the others.`,
    why:
      `gen writes every server of dhcp.dns into the interface's ISC DHCP settings, but the interface's ISC DHCPv4 page (services_dhcp.php) has ${ISC_DHCP_PAGE_DNS_SERVERS} DNS server fields, ` +
      'and saving it rebuilds the list from those fields alone (services_dhcp.php): the first save of the page, for any change, drops the third server and those after it, ' +
      'and the box hands them out no more until gen\'s configuration is restored again.',
    hint: `List at most ${ISC_DHCP_PAGE_DNS_SERVERS} in dhcp.dns, or use dhcp_server: dnsmasq, whose DHCP options keep any number.`,
    examples: [
      {
        topology: 'vlan-hosting',
        context: [{ where: 'sites[].firewall', snippet: 'dhcp_server: isc' }],
        where: 'sites[].firewall.interfaces[websvc].dhcp',
        bad: 'dns: [1.1.1.1, 9.9.9.9, 1.0.0.1]',
        good: 'dns: [1.1.1.1, 9.9.9.9]',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        if (site.firewall?.dhcpServer !== 'isc') continue;
        for (const iface of site.firewall.interfaces) {
          const dns = iface.dhcp?.dns ?? [];
          if (dns.length <= ISC_DHCP_PAGE_DNS_SERVERS) continue;
          report({
            path: iface.dhcp!.path.concat('dns', ISC_DHCP_PAGE_DNS_SERVERS),
            message: `ISC DHCP on ${iface.name} hands out ${dns.length} DNS servers, but its page keeps ${ISC_DHCP_PAGE_DNS_SERVERS}: the first save of the ISC DHCPv4 page of ${iface.name} drops ${dns.slice(ISC_DHCP_PAGE_DNS_SERVERS).join(', ')}`,
            hint: `List at most ${ISC_DHCP_PAGE_DNS_SERVERS} in dhcp.dns on interface ${iface.name} (e.g. [${dns.slice(0, ISC_DHCP_PAGE_DNS_SERVERS).join(', ')}]), or set dhcp_server: dnsmasq.`,
          });
        }
      }
    },
  },
];
