// The compiled policy as filter rules, in evaluation order, each with a
// stable uuid and a description naming the topology rule that produced it:
// legacy <filter><rule> up to 26.1; from 26.7, whose rule pages left core
// for a plugin (and show a migration assistant while legacy rules exist),
// MVC rules of //OPNsense/Firewall/Filter in the same order (sequence).
// The normalization rules (scrub.ts) stay in <filter> on every release.
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

export function filterRuleElement(rule: FilterRule): XmlElement {
  return element(
    'rule',
    [
      leaf('type', rule.action),
      leaf('interface', rule.interface),
      leaf('ipprotocol', 'inet'),
      rule.protocol !== undefined ? leaf('protocol', rule.protocol) : undefined,
      leaf('statetype', 'keep state'),
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

/** Makes each rule as an MVC filter rule: protocols upper case (ProtocolField), "keep" state. */
export function mvcRuleElements(ctx: OpnsenseContext): (rule: FilterRule, sequence: number) => XmlElement {
  const item = modelItems(ctx, 'filter', 'rules.rule', MVC_RULE_FIXED);
  return (rule, sequence) =>
    item(rule.uuid, {
      sequence: String(sequence),
      action: rule.action,
      interface: rule.interface,
      protocol: rule.protocol === undefined ? 'any' : rule.protocol.toUpperCase(),
      source_net: net(rule.source),
      source_not: mvcFlag(negated(rule.source)),
      destination_net: net(rule.destination),
      destination_not: mvcFlag(negated(rule.destination)),
      destination_port: rule.port ?? '',
      log: mvcFlag(rule.log),
      disablereplyto: mvcFlag(rule.directReplies === true),
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
