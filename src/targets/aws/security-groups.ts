// How a security group rule's protocol reaches AWS. The EC2 API names ICMP
// for IPv6 "icmpv6" (protocol 58): a rule "icmp" from an IPv6 network would
// allow ICMPv4 from it, which never arrives over IPv6. The renderer writes
// this protocol and the policy-test evaluator matches flows by it.
import type { SecurityGroupRule } from '../../model.js';

export type IpProtocol = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | '-1';

export function isIpv6Cidr(cidr: string | undefined): boolean {
  return cidr !== undefined && cidr.includes(':');
}

export function ipProtocol(rule: SecurityGroupRule): IpProtocol {
  if (rule.proto === 'all') return '-1';
  if (rule.proto === 'icmp' && isIpv6Cidr(rule.cidr)) return 'icmpv6';
  return rule.proto;
}
