// The rule registry: every rule id gen can report, in documentation order.
import { accessRules } from './access.js';
import { acmeNameRules } from './acme-names.js';
import { acmeSiteRules } from './acme-sites.js';
import { adminExposedRules } from './admin-exposed.js';
import { antiLockoutRules } from './anti-lockout.js';
import { awsRules } from './aws.js';
import { awsQuotaRules } from './aws-quota.js';
import { awsKeyRules } from './aws-keys.js';
import { backupPathRules } from './backup-path.js';
import { backupCacheRules } from './backup-cache.js';
import { backupJobRules } from './backup-jobs.js';
import { dhcpDnsRules } from './dhcp-dns.js';
import { dhcpDnsCountRules } from './dhcp-dns-count.js';
import { firewallRules } from './firewall.js';
import { guestRules } from './guests.js';
import { haproxyRules } from './haproxy.js';
import { hairpinRules } from './hairpin.js';
import { splitDnsRules } from './split-dns.js';
import { hostGatewayRules } from './host-gateway.js';
import { infrastructureRules } from './infrastructure.js';
import { ipRules } from './ip.js';
import { nameRules } from './names.js';
import { proxmoxRules } from './proxmox.js';
import { bondRules } from './bonds.js';
import { vlanDeviceRules } from './vlan-devices.js';
import { opnsenseRules } from './opnsense.js';
import { openResolverRules } from './open-resolver.js';
import { policyRules } from './policy.js';
import { reportedRules } from './reported.js';
import { testRules } from './tests.js';
import { upstreamRules } from './upstream.js';
import type { Rule } from './rule.js';
import { wireguardRules } from './wireguard.js';
import { wireguardClientRules } from './wireguard-clients.js';
import { wireguardSiteRules } from './wireguard-sites.js';
import { wireguardFullTunnelRules } from './wireguard-full-tunnel.js';
import { wireguardKeepaliveRules } from './wireguard-keepalive.js';
import { wireguardKeyAgeRules } from './wireguard-key-age.js';
import { wireguardMtuRules } from './wireguard-mtu.js';

export const rules: readonly Rule[] = [...reportedRules, ...nameRules, ...ipRules, ...firewallRules, ...opnsenseRules, ...acmeSiteRules, ...acmeNameRules, ...dhcpDnsRules, ...dhcpDnsCountRules, ...openResolverRules, ...adminExposedRules, ...haproxyRules, ...wireguardRules, ...wireguardFullTunnelRules, ...wireguardMtuRules, ...wireguardKeepaliveRules, ...wireguardKeyAgeRules, ...wireguardClientRules, ...wireguardSiteRules, ...infrastructureRules, ...proxmoxRules, ...bondRules, ...vlanDeviceRules, ...hostGatewayRules, ...guestRules, ...accessRules, ...awsRules, ...awsKeyRules, ...awsQuotaRules, ...backupCacheRules, ...backupJobRules, ...backupPathRules, ...upstreamRules, ...hairpinRules, ...splitDnsRules, ...policyRules, ...antiLockoutRules, ...testRules];

export const ruleById: ReadonlyMap<string, Rule> = new Map(rules.map((r) => [r.id, r]));

/** Rule ids a mistyped id probably meant: those that hold it, or share its last part. */
export function similarRuleIds(id: string): string[] {
  const last = (ruleId: string) => ruleId.split('/').pop()!;
  return rules.map((r) => r.id).filter((r) => r.includes(id) || id.includes(last(r)) || last(r).includes(last(id)));
}

export type { Rule } from './rule.js';
