// What the policy lets the internet reach on the firewall itself: the
// services OPNsense runs there listen on every address of the box by
// default (Unbound, the web GUI, SSH), so the filter is all that keeps
// outside sources from them. Shared by the lints for each service.
import { type FlowPart, flowParts, internetSources } from '../flows.js';
import { type Range, normalize, subtract } from '../intervals.js';
import type { PolicyRule, Site } from '../model.js';
import { siteMatches } from '../resolve/matches.js';

const partsBySite = new WeakMap<Site, Map<string, FlowPart[]>>();

export interface SelfPass {
  rule: PolicyRule;
  /** The protocols it passes, upper case, in the order asked ("UDP", "TCP"). */
  protos: string[];
  /** The ports it passes, in the order asked. */
  ports: number[];
  /** The internet addresses it lets in on any of them (normalized). */
  sources: Range[];
  /** Whether those are all the internet's public addresses. */
  everyone: boolean;
}

/**
 * Whether a rule of the compiled policy is one of the topology's own rules
 * from inside: not a derived WAN pass (HAProxy's, WireGuard's, a port
 * forward's), which goes to a listener gen configures or is redirected
 * before the filter, nor one of OPNsense's own rules (the anti-lockout
 * rule, which on an inside interface never meets an outside source, and
 * the DHCP server's passes). The compiled rules are those and the policy's.
 */
export function isOwnRule(site: Site, rule: PolicyRule): boolean {
  return rule.from.kind !== 'wan' && rule !== site.policy.antiLockout && !(site.policy.automatic ?? []).includes(rule);
}

/**
 * The rules that pass internet addresses to the firewall's own addresses at
 * some of the protocols and ports, each rule once: those that `candidate`
 * takes, the topology's own rules (isOwnRule) unless given. The deciding
 * rule is asked directly: a map of every rule by its origin, made per call,
 * was most of the work with 200,000 rules.
 */
export function internetPassesToSelf(site: Site, protos: readonly ('udp' | 'tcp')[], ports: readonly number[], candidate?: (rule: PolicyRule) => boolean): SelfPass[] {
  if (!site.firewall || !site.firewall.interfaces.some((i) => i.isWan)) return [];
  const internet = internetSources(site);
  const self = siteMatches(site).space.self;
  // The flows of one protocol and port, once per site: two lints ask for the same management ports.
  let flows = partsBySite.get(site);
  if (!flows) partsBySite.set(site, (flows = new Map()));
  const partsOf = (proto: 'udp' | 'tcp', port: number): FlowPart[] => {
    const key = `${proto}/${port}`;
    let parts = flows.get(key);
    if (!parts) flows.set(key, (parts = flowParts(site, internet, self, proto, port)));
    return parts;
  };
  const taken = candidate ?? ((rule: PolicyRule) => isOwnRule(site, rule));
  const found = new Map<PolicyRule, SelfPass>();
  for (const proto of protos) {
    for (const port of ports) {
      for (const { verdict, rule, from } of partsOf(proto, port)) {
        if (verdict.verdict !== 'accept' || !rule || !taken(rule)) continue;
        const entry = found.get(rule) ?? { rule, protos: [], ports: [], sources: [], everyone: false };
        const name = proto.toUpperCase();
        if (!entry.protos.includes(name)) entry.protos.push(name);
        if (!entry.ports.includes(port)) entry.ports.push(port);
        // Collected here, joined once below.
        for (const range of from) entry.sources.push(range);
        found.set(rule, entry);
      }
    }
  }
  const passes = [...found.values()];
  for (const pass of passes) {
    pass.sources = normalize(pass.sources);
    pass.everyone = subtract(internet, pass.sources).length === 0;
  }
  return passes;
}
