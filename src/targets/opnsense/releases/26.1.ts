// OPNsense 26.1 (core and plugins 26.1.0-26.1.11): model versions per point
// release, read from the model files at every tag. Port forwards moved to
// the Destination NAT model, ISC DHCP to a plugin; os-haproxy 5 (model
// 5.0.0) arrived with 26.1.2, and with it HAProxy 3.2: 4.6 depends on
// haproxy30, 5.0 and 5.1 on net/haproxy ("upgrade to HAProxy 3.2 release
// series" in their pkg-descr), from 26.1.11 on haproxy32. dnsmasq, as the
// release notes name it ("ports: dnsmasq"): 2.91 in 26.1.0, 2.92 from
// 26.1.1, 2.92rel2 from 26.1.8, 2.93
// from 26.1.10. dnsmasq.conf writes dhcp-option=option6:23,[::] (the firewall
// as IPv6 DNS server) from 26.1.0 on, unless a DHCPv6 option 23 of no
// interface and no tag is set.
// interface_configure() takes the IPv6 types unless Interfaces › Settings'
// disableipv6 is set (is_ipv6_allowed()), idassoc6 among them.
import type { ReleaseTable } from '../release-types.js';

export const release26_1: ReleaseTable = {
  series: '26.1',
  newest: 11,
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
        staticroutes: '1.0.0',
        dnsmasq: '1.0.8',
        haproxy: '4.1.0',
        acme: '4.3.0',
        filter: '1.0.4',
        dnat: '1.0.0',
        cert: '1.0.0',
        cron: '1.0.4',
        unbound: '1.0.13',
      },
      forms: { filterRules: 'legacy', portForwards: 'dnat', outboundNatRules: 'legacy', haproxyActions: 'typed', iscDhcp: 'plugin' },
      dnsmasq: '2.91',
      dnsmasqFirewallDns6: true,
      haproxy: '3.0',
      ipv6Switch: 'disableipv6',
      ipv6Types: ['slaac', 'dhcp6', 'linklocal', '6rd', '6to4', 'idassoc6', 'track6'],
    },
    { from: 1, dnsmasq: '2.92' },
    { from: 2, models: { haproxy: '5.0.0' }, forms: { haproxyActions: 'http-request' }, haproxy: '3.2' },
    { from: 3, models: { unbound: '1.0.14' } },
    { from: 5, models: { dnsmasq: '1.0.9' } },
    { from: 6, models: { acme: '4.3.1', unbound: '1.0.15' } },
    { from: 7, models: { acme: '4.4.0' } },
    { from: 8, dnsmasq: '2.92rel2' },
    { from: 10, models: { staticroutes: '1.0.1' }, dnsmasq: '2.93' },
    { from: 11, models: { filter: '1.0.5' } },
  ],
};
