// OPNsense 25.7 (core and plugins 25.7.0-25.7.11): model versions per point
// release, read from the model files at every tag. dnsmasq 2.91 throughout
// (25.1.4 brought it; no 25.7 release notes name another). Its dnsmasq.conf
// writes no IPv6 DNS option of its own (dhcp-option=6,0.0.0.0 only).
// interface_configure() takes the IPv6 types only with <system><ipv6allow>,
// and has no case for idassoc6; its linklocal case came with 25.7.8.
// os-haproxy 4.6 (model 4.1.0) installs HAProxy 3.0 (PLUGIN_DEPENDS haproxy30).
import type { ReleaseTable } from '../release-types.js';

export const release25_7: ReleaseTable = {
  series: '25.7',
  newest: 11,
  ranges: [
    {
      from: 0,
      models: {
        wireguardGeneral: '0.0.1',
        wireguardServer: '1.0.0',
        wireguardClient: '1.0.0',
        alias: '1.0.1',
        ifgroups: '1.0.0',
        vlans: '1.0.0',
        gateways: '1.0.0',
        staticroutes: '1.0.0',
        dnsmasq: '1.0.7',
        haproxy: '4.1.0',
        acme: '4.3.0',
        filter: '1.0.4',
        cert: '1.0.0',
        cron: '1.0.4',
        unbound: '1.0.12',
      },
      forms: { filterRules: 'legacy', portForwards: 'legacy', outboundNatRules: 'legacy', haproxyActions: 'typed', iscDhcp: 'core' },
      dnsmasq: '2.91',
      dnsmasqFirewallDns6: false,
      haproxy: '3.0',
      ipv6Switch: 'ipv6allow',
      ipv6Types: ['slaac', 'dhcp6', '6rd', '6to4', 'track6'],
    },
    { from: 2, models: { dnsmasq: '1.0.8' } },
    { from: 6, models: { wireguardServer: '1.0.1' } },
    { from: 8, models: { unbound: '1.0.13' }, ipv6Types: ['slaac', 'dhcp6', 'linklocal', '6rd', '6to4', 'track6'] },
  ],
};
