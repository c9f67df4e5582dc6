// <filter>: the compiled policy as legacy rules (Firewall ▸ Rules), in
// evaluation order, each with a stable uuid and a description naming the
// topology rule that produced it; and the normalization rules (scrub.ts).
import { type Area } from './context.js';
import { type Endpoint, type FilterRule, compilePolicy } from './policy.js';
import { scrubElement } from './scrub.js';
import { type XmlElement, element, leaf } from './xml.js';

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
      rule.associatedRuleId !== undefined ? leaf('associated-rule-id', rule.associatedRuleId) : undefined,
    ],
    [['uuid', rule.uuid]],
  );
}

export const filterArea: Area = {
  file: 'filter.xml',
  build: (ctx) => [element('filter', [...compilePolicy(ctx).rules.map(filterRuleElement), scrubElement(ctx)])],
};
