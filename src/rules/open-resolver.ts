// The firewall's resolver against the policy: a pass that lets internet
// addresses reach the firewall itself on DNS makes the box an open
// resolver, because Unbound at its defaults listens everywhere and answers
// every source (targets/opnsense/unbound.ts): the filter is all there is.
import { describeAddresses } from '../flows.js';
import { UNBOUND_ACCESS_LISTS, UNBOUND_DEFAULT_ACCESS, UNBOUND_PORT } from '../targets/opnsense/unbound.js';
import { internetPassesToSelf } from './internet-to-self.js';
import type { Rule } from './rule.js';

export const openResolverRules: Rule[] = [
  {
    id: 'opnsense/open-resolver',
    severity: 'error',
    summary: "A policy rule passes DNS from internet addresses to the firewall itself, where OPNsense's resolver answers anyone: an open resolver.",
    why:
      'Unbound, the resolver OPNsense runs from the factory, listens on every address of the box (the WAN too) and its default access list allows every source ' +
      `(${UNBOUND_DEFAULT_ACCESS}, from the access list's default action "allow"): the filter alone keeps the internet out. ` +
      'A pass to self (or to any) on port 53 whose source holds internet addresses, such as 0.0.0.0/0 or a public CIDR, lands on the WAN and lets them query it: ' +
      'the box answers recursive queries for the whole internet, which scanners find and DNS amplification attacks abuse.',
    hint:
      'Narrow the rule to the networks that should resolve through the firewall (a zone of internal networks, the VPN). ' +
      `If the firewall must answer those internet addresses, restrict Unbound on the box first (${UNBOUND_ACCESS_LISTS}: default action Refuse, allow the networks that may ask) and silence this with # gen-ignore opnsense/open-resolver: the reason.`,
    examples: [
      {
        topology: 'homelab-family',
        where: 'sites[].policy.rules[lan-dns]',
        bad: 'from: 0.0.0.0/0',
        good: 'from: lan',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        for (const { rule, protos, sources, everyone } of internetPassesToSelf(site, ['udp', 'tcp'], [UNBOUND_PORT])) {
          const what = everyone ? 'internet addresses' : `internet addresses (${describeAddresses(sources)})`;
          report({
            path: rule.path,
            message: `policy rule ${rule.name} passes DNS (${protos.join(', ')} ${UNBOUND_PORT}) from ${what} to the firewall itself, and Unbound there answers every source by default: the firewall becomes an open resolver`,
          });
        }
      }
    },
  },
];
