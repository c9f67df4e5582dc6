// The firewall's resolver against the policy: a pass that lets internet
// addresses reach the firewall itself on DNS makes the box an open
// resolver, because Unbound at its defaults listens everywhere and answers
// every source (targets/opnsense/unbound.ts): the filter is all there is.
import { flowVerdicts, internetSources } from '../flows.js';
import type { PolicyRule, Site } from '../model.js';
import { siteMatches } from '../resolve/matches.js';
import { UNBOUND_ACCESS_LISTS, UNBOUND_DEFAULT_ACCESS, UNBOUND_PORT } from '../targets/opnsense/unbound.js';
import type { Rule } from './rule.js';

interface OpenDns {
  rule: PolicyRule;
  protos: string[];
  /** The internet addresses it lets in, when only some are ("198.51.100.0/24 → …"). */
  part?: string;
}

/** The policy rules that pass DNS from internet addresses to the firewall's own addresses, by rule. */
function openDns(site: Site): OpenDns[] {
  if (!site.firewall || !site.firewall.interfaces.some((i) => i.isWan)) return [];
  const internet = internetSources(site);
  const self = siteMatches(site).space.self;
  // The topology's own rules: a derived WAN pass (a port forward's, redirected before the filter) leads elsewhere.
  const byOrigin = new Map(site.policy.rules.flatMap((r) => (r.from.kind === 'wan' ? [] : [[r.origin, r] as const])));
  const found = new Map<PolicyRule, OpenDns>();
  for (const proto of ['udp', 'tcp'] as const) {
    const passes = flowVerdicts(site, internet, self, proto, UNBOUND_PORT).filter((v) => v.verdict === 'accept');
    for (const verdict of passes) {
      const rule = byOrigin.get(verdict.decidedBy);
      if (!rule) continue;
      const entry = found.get(rule) ?? { rule, protos: [], part: verdict.part };
      entry.protos.push(proto.toUpperCase());
      found.set(rule, entry);
    }
  }
  return [...found.values()];
}

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
        for (const { rule, protos, part } of openDns(site)) {
          const what = part === undefined ? 'internet addresses' : `internet addresses (${part.split(' → ')[0]})`;
          report({
            path: rule.path,
            message: `policy rule ${rule.name} passes DNS (${protos.join(', ')} ${UNBOUND_PORT}) from ${what} to the firewall itself, and Unbound there answers every source by default: the firewall becomes an open resolver`,
          });
        }
      }
    },
  },
];
