// How a security group rule reaches AWS: its protocol and the permissions
// (port ranges) it becomes. The EC2 API names ICMP for IPv6 "icmpv6"
// (protocol 58): a rule "icmp" from an IPv6 network would allow ICMPv4 from
// it, which never arrives over IPv6. The renderer writes these, the
// policy-test evaluator matches flows by the protocol, and the lint checks
// that no two permissions of a group are the same one.
import type { SecurityGroupRule } from '../../model.js';
import { ipv4MappedNetwork } from '../../net.js';

export type IpProtocol = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | '-1';

export function isIpv6Cidr(cidr: string | undefined): boolean {
  return cidr !== undefined && cidr.includes(':');
}

/**
 * The IPv4 network a rule's IPv6 peer stands for when hashicorp/aws refuses it as cidr_ipv6, or
 * undefined. The argument's validator (internal/framework/validators/cidr.go, IPv6CIDRNetworkAddress)
 * calls verify.ValidateIPv6CIDRBlock (internal/verify/validate.go), which reads the text with Go's
 * net.ParseCIDR and refuses an address whose To4() is not nil: every address of ::ffff:0:0/96,
 * IPv4-mapped ("is not a valid IPv6 CIDR block"), so the plan fails.
 */
export function refusedIpv6Peer(rule: SecurityGroupRule): string | undefined {
  return isIpv6Cidr(rule.cidr) ? ipv4MappedNetwork(rule.cidr!) : undefined;
}

export function ipProtocol(rule: SecurityGroupRule): IpProtocol {
  if (rule.proto === 'all') return '-1';
  if (rule.proto === 'icmp' && isIpv6Cidr(rule.cidr)) return 'icmpv6';
  return rule.proto;
}

export type PortRange = { from: number; to: number };

/**
 * One permission per port range; "all" protocols carry no ports. For ICMP
 * (and ICMPv6, the protocol of an ICMP rule with an IPv6 peer) the listed
 * numbers are ICMP types: AWS reads from_port as the type and to_port as the
 * code, so each type becomes its own permission with every code (-1).
 */
export function portRanges(rule: SecurityGroupRule): (PortRange | undefined)[] {
  if (rule.proto === 'all') return [undefined];
  if (rule.proto === 'icmp') {
    if (!rule.ports.length) return [{ from: -1, to: -1 }];
    return rule.ports.flatMap((r) => Array.from({ length: r.to - r.from + 1 }, (_, i) => ({ from: r.from + i, to: -1 })));
  }
  return rule.ports.length ? rule.ports : [{ from: 0, to: 65535 }];
}

/**
 * What AWS compares to call two permissions of a group the same (and refuse
 * the second with InvalidPermission.Duplicate): protocol, ports and the
 * peer, not the description.
 */
export function permissionKey(rule: SecurityGroupRule, range: PortRange | undefined): string {
  const peer = rule.cidr !== undefined ? `cidr ${rule.cidr}` : `group ${rule.group ?? ''}`;
  return `${ipProtocol(rule)} ${range ? `${range.from}-${range.to}` : 'all'} ${peer}`;
}

/**
 * AWS's default quota of inbound (and, separately, outbound) rules per
 * security group, counted apart for IPv4 and IPv6 rules (Amazon VPC quotas,
 * "Inbound or outbound rules per security group", L-0EA8095F). Each
 * permission is one rule; a rule that references a group counts as one
 * whatever the group's size.
 */
export const RULES_PER_GROUP_QUOTA = 60;

/** The address families whose quota a rule counts against: its CIDR's, or both for a referenced group (AWS does not say which half it fills). */
export function quotaFamilies(rule: SecurityGroupRule): ('IPv4' | 'IPv6')[] {
  if (rule.cidr === undefined) return ['IPv4', 'IPv6'];
  return [isIpv6Cidr(rule.cidr) ? 'IPv6' : 'IPv4'];
}
