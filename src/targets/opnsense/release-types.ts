// The shape of one OPNsense release table (releases/<series>.ts): the model
// versions and the value forms each point release of a series accepts.
import type { ModelName } from './field-types.js';

/** How a release stores the things whose form changed between releases. */
export interface ReleaseForms {
  /** The policy's filter rules: legacy <filter><rule> (Firewall ▸ Rules in core) or MVC //OPNsense/Firewall/Filter rules. */
  filterRules: 'legacy' | 'mvc';
  /** Port forwards: legacy <nat><rule>, or the Destination NAT model's /nat/rule+ mapper. */
  portForwards: 'legacy' | 'dnat';
  /** Manual outbound NAT rules: legacy <nat><outbound><rule>, or the Filter model's snatrules. */
  outboundNatRules: 'legacy' | 'mvc';
  /** HAProxy rule actions: one type per action (type http-request_redirect), or type http-request with an action and its option. */
  haproxyActions: 'typed' | 'http-request';
  /** ISC DHCP: in core, or only with the os-isc-dhcp plugin. */
  iscDhcp: 'core' | 'plugin';
}

/** From point release `from` on (and until the next range), these versions and forms apply; each range changes only what it names. */
export interface ReleaseRange {
  from: number;
  models?: Partial<Record<ModelName, string>>;
  forms?: Partial<ReleaseForms>;
  /** The version of the dnsmasq package the point release installs ("ports: dnsmasq <version>" in its release notes). */
  dnsmasq?: string;
  /**
   * Whether the point release's dnsmasq.conf template hands out the firewall as IPv6 DNS server
   * (dhcp-option=option6:23,[::] unless a DHCPv6 option 23 of no interface and no tag is set).
   */
  dnsmasqFirewallDns6?: boolean;
  /**
   * The HAProxy release series the point release's os-haproxy installs: its Makefile's PLUGIN_DEPENDS (haproxy30,
   * haproxy32, or the port net/haproxy of the series its pkg-descr names, "upgrade to HAProxy 3.2 release series").
   */
  haproxy?: string;
  /** Where interface_configure() (interfaces.inc) reads whether IPv6 is on for the box (ipv6-allowed.ts). */
  ipv6Switch?: Ipv6Switch;
  /** The IPv6 types (<ipaddrv6>) interface_configure() has a case for; any other text takes its default, a static address. */
  ipv6Types?: readonly string[];
}

/**
 * How a release turns IPv6 off for every interface: 'ipv6allow' (25.7), unless <system><ipv6allow> is present;
 * 'disableipv6' (26.1 on, is_ipv6_allowed()), when Interfaces › Settings' <disableipv6> is not empty.
 */
export type Ipv6Switch = 'ipv6allow' | 'disableipv6';

export interface ReleaseTable {
  series: string;
  /** The newest point release gen knows: the bare series means this one. */
  newest: number;
  /** The first range (from 0) names every model and form, the dnsmasq version, the template's IPv6 DNS default, the HAProxy series and the IPv6 switch and types. */
  ranges: readonly ReleaseRange[];
}

/** How each form reads in words (gen diff, docs). */
/** Whether gen writes the MVC filter model (//OPNsense/Firewall/Filter): only for MVC filter or source NAT rules. */
export function writesMvcFilter(forms: ReleaseForms): boolean {
  return forms.filterRules === 'mvc' || forms.outboundNatRules === 'mvc';
}

export const FORM_WORDS: { readonly [K in keyof ReleaseForms]: Readonly<Record<ReleaseForms[K], string>> } = {
  filterRules: {
    legacy: 'the policy as legacy filter rules (<filter><rule>)',
    mvc: 'the policy as MVC filter rules (//OPNsense/Firewall/Filter, Firewall > Rules; no legacy rules, so no migration assistant)',
  },
  portForwards: {
    legacy: 'port forwards as legacy NAT rules linked to their filter rule (associated-rule-id)',
    dnat: 'port forwards as Destination NAT rules (/nat/rule+, source <network>any</network>, no linked-rule id)',
  },
  outboundNatRules: {
    legacy: 'manual outbound NAT as legacy rules (<nat><outbound><rule>)',
    mvc: 'manual outbound NAT as MVC source NAT rules (//OPNsense/Firewall/Filter/snatrules)',
  },
  haproxyActions: {
    typed: 'HAProxy redirects as action type http-request_redirect',
    'http-request': 'HAProxy redirects as http-request actions (redirect, scheme https code 301)',
  },
  iscDhcp: {
    core: 'ISC DHCP in core',
    plugin: 'ISC DHCP only with the os-isc-dhcp plugin',
  },
};

/** Model names in words. */
export const MODEL_WORDS: Readonly<Record<ModelName, string>> = {
  wireguardGeneral: 'WireGuard settings',
  wireguardServer: 'WireGuard instances',
  wireguardClient: 'WireGuard peers',
  alias: 'aliases',
  ifgroups: 'interface groups',
  vlans: 'VLANs',
  gateways: 'gateways',
  staticroutes: 'static routes',
  dnsmasq: 'dnsmasq',
  haproxy: 'HAProxy',
  acme: 'ACME client',
  filter: 'firewall rules (MVC)',
  dnat: 'Destination NAT',
  cert: 'certificates',
  cron: 'cron jobs',
  unbound: 'Unbound DNS',
};
