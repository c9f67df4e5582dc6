// Compiles the site policy (zones and rules, in evaluation order) to
// OPNsense filter rules. See docs/opnsense.md for the order and mapping:
// - a rule sits on the interface of each source network; VPN (and
//   remote) sources sit on the WireGuard interface group "wireguard", a
//   VPC joined by the site-to-site VPN on the IPsec interface "enc0";
// - one filter rule per (source network, destination network, port);
// - "internet" becomes a block to the internal-networks alias followed by
//   the pass, both with the rule's protocol and ports;
// - a port forward's pass is the NAT-linked rule to the forward's target;
// - nothing else passes: OPNsense blocks by default.
import type { Network, PolicyRule } from '../../model.js';
import { IPSEC_INTERFACE, WIREGUARD_GROUP } from '../../targets/opnsense/interfaces.js';
import { type OpnsenseContext } from './context.js';
import { uniqueId } from './ids.js';

export const INTERNAL_ALIAS = 'gen_internal_networks';

export type Endpoint = { kind: 'any' } | { kind: 'network'; value: string } | { kind: 'address'; value: string; not?: boolean };

export interface FilterRule {
  uuid: string;
  action: 'pass' | 'block' | 'reject';
  interface: string;
  protocol?: string;
  source: Endpoint;
  destination: Endpoint;
  port?: string;
  log: boolean;
  description: string;
  associatedRuleId?: string;
}

/** Where traffic from a network enters the firewall, and how rules name the network. */
function sourceSide(ctx: OpnsenseContext, network: Network): { iface: string; endpoint: Endpoint } | undefined {
  const iface = ctx.firewall.interfaces.find((i) => i.network === network.id);
  // A joined VPC comes through the site-to-site IPsec VPN: OPNsense filters
  // all IPsec traffic on enc0 (Firewall ▸ Rules ▸ IPsec).
  if (network.kind === 'vpc') return { iface: IPSEC_INTERFACE, endpoint: { kind: 'address', value: network.cidr } };
  if (network.kind === 'vpn' || network.kind === 'remote') {
    if (ctx.site.wireguard.length === 0) return undefined;
    return { iface: WIREGUARD_GROUP, endpoint: { kind: 'address', value: network.cidr } };
  }
  if (!iface) return undefined;
  return { iface: iface.key, endpoint: iface.addressing === 'static' ? { kind: 'network', value: iface.key } : { kind: 'address', value: network.cidr } };
}

/** How a destination network is named: its interface net ("opt1") when it has a static address there, else its CIDR. */
function destinationOf(ctx: OpnsenseContext, network: Network): Endpoint {
  const iface = ctx.firewall.interfaces.find((i) => i.network === network.id && i.addressing === 'static');
  return iface ? { kind: 'network', value: iface.key } : { kind: 'address', value: network.cidr };
}

export function describeRule(rule: PolicyRule, suffix?: string): string {
  return `gen: ${rule.origin}${suffix ? ` (${suffix})` : ''}${rule.description ? `: ${rule.description}` : ''}`;
}

export function needsInternalAlias(ctx: OpnsenseContext): boolean {
  return ctx.site.policy.rules.some((r) => r.to.kind === 'internet');
}

/** The filter rules of a site, in evaluation order. */
export function compilePolicy(ctx: OpnsenseContext): FilterRule[] {
  const out: FilterRule[] = [];
  for (const rule of ctx.site.policy.rules) {
    let n = 0;
    const push = (r: Omit<FilterRule, 'uuid' | 'log'>) => out.push({ ...r, uuid: ctx.uuid('filter-rule', `${rule.name}/${n++}`), log: rule.log });
    const protocol = rule.proto === 'any' ? undefined : rule.proto;
    const ports = protocol && protocol !== 'icmp' && rule.ports.length > 0 ? rule.ports : [undefined];

    if (rule.from.kind === 'wan') {
      const to = rule.to.kind === 'wan-address' ? ctx.interfaceByName.get(rule.to.interface) : undefined;
      if (!to) continue;
      const pf = rule.portForward ? ctx.firewall.nat.portForwards.find((p) => p.name === rule.portForward) : undefined;
      if (pf) {
        push({
          action: 'pass',
          interface: to.key,
          protocol: pf.proto,
          source: { kind: 'any' },
          destination: { kind: 'address', value: pf.target },
          port: pf.targetPort,
          description: describeRule(rule),
          // The legacy NAT rule names its filter rule; the Destination NAT model (26.1 on) keeps no such link.
          associatedRuleId: ctx.release.forms.portForwards === 'legacy' ? portForwardRuleId(ctx, pf.name) : undefined,
        });
        continue;
      }
      for (const port of ports) {
        push({ action: rule.action, interface: to.key, protocol, source: { kind: 'any' }, destination: { kind: 'network', value: `${to.key}ip` }, port, description: describeRule(rule) });
      }
      continue;
    }

    for (const fromId of rule.fromNetworks) {
      const fromNetwork = ctx.networkById.get(fromId);
      const side = fromNetwork && sourceSide(ctx, fromNetwork);
      if (!side) continue;
      const base = { interface: side.iface, protocol, source: side.endpoint };
      const to = rule.to;
      let destinations: { endpoint: Endpoint; action: FilterRule['action']; suffix?: string }[];
      if (to.kind === 'zone') {
        destinations = rule.toNetworks.flatMap((id) => {
          const network = ctx.networkById.get(id);
          return network ? [{ endpoint: destinationOf(ctx, network), action: rule.action }] : [];
        });
      } else if (to.kind === 'any') {
        destinations = [{ endpoint: { kind: 'any' }, action: rule.action }];
      } else if (to.kind === 'self') {
        destinations = [{ endpoint: { kind: 'network', value: '(self)' }, action: rule.action }];
      } else if (to.kind === 'internet') {
        destinations =
          rule.action === 'pass'
            ? [
                // The firewall's own addresses too: its WAN address is in no internal network,
                // and would otherwise open the web GUI and SSH to an internet-only zone.
                { endpoint: { kind: 'network', value: '(self)' }, action: 'block', suffix: 'block the firewall itself' },
                { endpoint: { kind: 'address', value: INTERNAL_ALIAS }, action: 'block', suffix: 'block internal networks' },
                { endpoint: { kind: 'any' }, action: 'pass', suffix: 'pass the internet' },
              ]
            : [{ endpoint: { kind: 'address', value: INTERNAL_ALIAS, not: true }, action: rule.action }];
      } else {
        const iface = ctx.interfaceByName.get(to.interface);
        destinations = iface ? [{ endpoint: { kind: 'network', value: `${iface.key}ip` }, action: rule.action }] : [];
      }
      for (const destination of destinations) {
        for (const port of ports) {
          push({ ...base, action: destination.action, destination: destination.endpoint, port, description: describeRule(rule, destination.suffix) });
        }
      }
    }
  }
  return out;
}

/** The associated-rule-id linking a port forward and its pass rule. */
export function portForwardRuleId(ctx: OpnsenseContext, name: string): string {
  return `nat_${uniqueId(ctx.site.name, 'port-forward', name)}`;
}
