// The compiled policy as filter rules, in evaluation order, each with a
// stable uuid and a description naming the topology rule that produced it:
// legacy <filter><rule> up to 26.1; from 26.7, whose rule pages left core
// for a plugin (and show a migration assistant while legacy rules exist),
// MVC rules of //OPNsense/Firewall/Filter in the same order (sequence).
// The normalization rules (scrub.ts) stay in <filter> on every release.
import { IPSEC_INTERFACE } from '../../targets/opnsense/interfaces.js';
import { writesMvcFilter } from '../../targets/opnsense/releases.js';
import { type Area, type OpnsenseContext, mvcFlag } from './context.js';
import { itemsOf, modelItems, modelSection } from './fields.js';
import { mvcOutboundRules } from './outbound.js';
import { type Endpoint, type FilterRule, compilePolicy } from './policy.js';
import { scrubElement } from './scrub.js';
import { type XmlElement, element, elementOf, leaf } from './xml.js';
import { appendAll } from '../../arrays.js';

function endpoint(name: 'source' | 'destination', value: Endpoint, port?: string): XmlElement {
  return element(name, [
    value.kind === 'any' ? leaf('any', '') : undefined,
    value.kind === 'network' ? leaf('network', value.value) : undefined,
    value.kind === 'address' ? leaf('address', value.value) : undefined,
    value.kind === 'alias' ? leaf('address', value.name) : undefined,
    (value.kind === 'address' || value.kind === 'alias') && value.not ? leaf('not', '1') : undefined,
    port !== undefined ? leaf('port', port) : undefined,
  ]);
}

/**
 * The state policy of a rule: "floating" for a pass on the IPsec interface,
 * else the box's (the rule's default). pf filters a packet from a
 * route-based tunnel twice: on enc0 once decrypted (FreeBSD
 * netipsec/ipsec_input.c runs the enc hooks, IPSEC_ENC_AFTER, before
 * ipsec_if_input() hands it to the VTI; OPNsense's
 * net.enc.in.ipsec_filter_mask is 2, system.inc), then on the VTI
 * (ipsecN), where no rule of gen's is. Its state from enc0 passes it there
 * only when floating: with "Bind states to interface" (Firewall › Settings ›
 * Advanced; filter.inc: "set state-policy if-bound"), pf finds a state on
 * its own interface alone (pf.c pf_find_state()), and the VPC reached
 * nothing the policy passes it. A rule's own state policy overrides the
 * default (pfctl parse.y: default_statelock only without one; FilterRule.php
 * "keep state ( floating )").
 */
function statePolicy(rule: FilterRule): string {
  return rule.action === 'pass' && rule.interface === IPSEC_INTERFACE ? 'floating' : '';
}

export function filterRuleElement(rule: FilterRule): XmlElement {
  return element(
    'rule',
    [
      leaf('type', rule.action),
      leaf('interface', rule.interface),
      leaf('ipprotocol', 'inet'),
      rule.protocol !== undefined ? leaf('protocol', rule.protocol) : undefined,
      leaf('statetype', 'keep state'),
      // What the rule editor stores (firewall_rules_edit.php: if-bound or floating).
      statePolicy(rule) ? leaf('state-policy', statePolicy(rule)) : undefined,
      leaf('direction', 'in'),
      leaf('quick', '1'),
      endpoint('source', rule.source),
      endpoint('destination', rule.destination, rule.port),
      leaf('descr', rule.description),
      rule.log ? leaf('log', '1') : undefined,
      // What the rule editor stores for "disable reply-to" (firewall_rules_edit.php: true).
      rule.directReplies ? leaf('disablereplyto', '1') : undefined,
      rule.associatedRuleId !== undefined ? leaf('associated-rule-id', rule.associatedRuleId) : undefined,
    ],
    [['uuid', rule.uuid]],
  );
}

/** An MVC address: any, a network name (lan, wanip, (self)), an alias or a CIDR (NetworkAliasField). */
function net(value: Endpoint): string {
  return value.kind === 'any' ? 'any' : value.kind === 'alias' ? value.name : value.value;
}

/** A negated address or alias (source_not / destination_not). */
function negated(value: Endpoint): boolean {
  return (value.kind === 'address' || value.kind === 'alias') && value.not === true;
}

/** The values every MVC filter rule of gen's has. */
const MVC_RULE_FIXED = { enabled: '1', statetype: 'keep', quick: '1', interfacenot: '0', direction: 'in', ipprotocol: 'inet', source_port: '' };

/** Each protocol as the MVC rule stores it (ProtocolField: upper case), made once: a site's 20,000 rules name a few. */
const MVC_PROTOCOLS = new Map<string, string>();
function mvcProtocol(protocol: string | undefined): string {
  if (protocol === undefined) return 'any';
  let stored = MVC_PROTOCOLS.get(protocol);
  if (stored === undefined) MVC_PROTOCOLS.set(protocol, (stored = protocol.toUpperCase()));
  return stored;
}

/** Makes each rule as an MVC filter rule: protocols upper case (ProtocolField), "keep" state. */
export function mvcRuleElements(ctx: OpnsenseContext): (rule: FilterRule, sequence: number) => XmlElement {
  const item = modelItems(ctx, 'filter', 'rules.rule', MVC_RULE_FIXED);
  return (rule, sequence) =>
    item(rule.uuid, {
      sequence: String(sequence),
      action: rule.action,
      interface: rule.interface,
      protocol: mvcProtocol(rule.protocol),
      source_net: net(rule.source),
      source_not: mvcFlag(negated(rule.source)),
      destination_net: net(rule.destination),
      destination_not: mvcFlag(negated(rule.destination)),
      destination_port: rule.port ?? '',
      log: mvcFlag(rule.log),
      disablereplyto: mvcFlag(rule.directReplies === true),
      'state-policy': statePolicy(rule),
      description: rule.description,
    });
}

function mvcRuleItems(ctx: OpnsenseContext, rules: readonly FilterRule[]) {
  const make = mvcRuleElements(ctx);
  return itemsOf(ctx, rules, (rule, i) => make(rule, (i + 1) * 10));
}

export const filterArea: Area = {
  file: 'filter.xml',
  build(ctx) {
    const { rules } = compilePolicy(ctx);
    const { filterRules, outboundNatRules } = ctx.release.forms;
    // <filter> on every release: the normalization rules live there, and an empty one still tells the
    // merge to remove what an earlier merge wrote there (legacy rules before 26.7, clamps of a dropped tunnel).
    const sections: XmlElement[] = [elementOf('filter', [filterRules === 'legacy' ? itemsOf(ctx, rules, filterRuleElement) : [], scrubElement(ctx)])];
    if (writesMvcFilter(ctx.release.forms)) {
      appendAll(
        sections,
        modelSection(ctx, 'filter', {
          rules: { rule: filterRules === 'mvc' ? mvcRuleItems(ctx, rules) : [] },
          snatrules: { rule: outboundNatRules === 'mvc' ? mvcOutboundRules(ctx) : [] },
        }),
      );
    }
    return sections;
  },
};
