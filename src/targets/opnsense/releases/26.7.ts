// OPNsense 26.7 (core and plugins 26.7.0-26.7.2): the legacy rule pages
// left core for the os-firewall-legacy plugin, so the policy is written as
// MVC filter rules, and manual outbound NAT as MVC source NAT rules.
// dnsmasq 2.93, as 26.1.10 brought it (no 26.7 release notes name another);
// dnsmasq.conf's dhcp-option=option6:23,[::] as in 26.1. os-haproxy 5.1
// (model 5.0.0) installs HAProxy 3.2 (PLUGIN_DEPENDS haproxy32).
// interface_configure() takes the IPv6 types unless Interfaces › Settings'
// disableipv6 is set (is_ipv6_allowed()), idassoc6 among them.
import type { ReleaseTable } from '../release-types.js';

export const release26_7: ReleaseTable = {
  series: '26.7',
  newest: 2,
  ranges: [
    {
      from: 0,
      models: {
        wireguardGeneral: '0.0.1',
        wireguardServer: '1.0.1',
        wireguardClient: '1.0.0',
        alias: '1.0.1',
        ifgroups: '1.0.0',
        vlans: '1.0.0',
        gateways: '1.0.0',
        staticroutes: '1.0.1',
        dnsmasq: '1.0.9',
        haproxy: '5.0.0',
        acme: '4.4.0',
        filter: '1.0.5',
        dnat: '1.0.0',
        cert: '1.0.0',
        cron: '1.0.4',
        unbound: '1.0.15',
      },
      forms: { filterRules: 'mvc', portForwards: 'dnat', outboundNatRules: 'mvc', haproxyActions: 'http-request', iscDhcp: 'plugin' },
      dnsmasq: '2.93',
      dnsmasqFirewallDns6: true,
      haproxy: '3.2',
      ipv6Switch: 'disableipv6',
      ipv6Types: ['slaac', 'dhcp6', 'linklocal', '6rd', '6to4', 'idassoc6', 'track6'],
    },
  ],
};
