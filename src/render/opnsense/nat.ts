// <nat>: port forwards and the outbound NAT mode (with gen's manual
// outbound rules where the release keeps them here). A port forward's pass
// is the policy's own rule to the forward's target: up to 25.7 linked to
// the legacy NAT rule through associated-rule-id; from 26.1 a rule of the
// Destination NAT model (/nat/rule+), which keeps no such link.
import { fitDescription } from '../../targets/opnsense/descriptions.js';
import { REFLECTION_ON } from '../../targets/opnsense/reflection.js';
import { type Area, type OpnsenseContext } from './context.js';
import { modelItem, modelSection } from './fields.js';
import { legacyOutboundRules } from './outbound.js';
import { type Endpoint, compilePolicy, portForwardRuleId } from './policy.js';
import { type XmlElement, element, leaf } from './xml.js';

export const OUTBOUND_MODE = { automatic: 'automatic', hybrid: 'hybrid', manual: 'advanced', disabled: 'disabled' } as const;

function description(pf: OpnsenseContext['firewall']['nat']['portForwards'][number]): string {
  return fitDescription(`gen: port forward ${pf.name}${pf.description ? `: ${pf.description}` : ''}`);
}

/** The forward's source, as its pass rule has it (from:, else any). */
function sourceOf(ctx: OpnsenseContext, name: string): Endpoint {
  return compilePolicy(ctx).forwardSources.get(name) ?? { kind: 'any' };
}

/** The legacy rule's <source>: <any/>, or the address or alias in <address> (as the NAT rule editor stores it). */
function legacySource(source: Endpoint): XmlElement {
  return element('source', [source.kind === 'any' ? leaf('any', '') : leaf('address', source.kind === 'alias' ? source.name : source.value)]);
}

function legacyForwards(ctx: OpnsenseContext): XmlElement[] {
  return ctx.firewall.nat.portForwards.map((pf) => {
    const key = ctx.interfaceByName.get(pf.interface)?.key ?? pf.interface;
    return element(
      'rule',
      [
        leaf('protocol', pf.proto),
        leaf('interface', key),
        leaf('ipprotocol', 'inet'),
        legacySource(sourceOf(ctx, pf.name)),
        element('destination', [leaf('network', `${key}ip`), leaf('port', pf.port)]),
        leaf('target', pf.target),
        leaf('local-port', pf.targetPort.split('-')[0]),
        leaf('descr', description(pf)),
        // firewall_nat_edit.php stores a per-rule choice only when it is purenat or disable; absent is the system default.
        ...(pf.reflection ? [leaf('natreflection', REFLECTION_ON)] : []),
        leaf('associated-rule-id', portForwardRuleId(ctx, pf.name)),
      ],
      [['uuid', ctx.uuid('port-forward', pf.name)]],
    );
  });
}

/** The DNat source network (NetworkMappedField): any, an address or CIDR, or an alias name. */
function dnatNetwork(source: Endpoint): string {
  return source.kind === 'any' ? 'any' : source.kind === 'alias' ? source.name : source.value;
}

/** Destination NAT rules: the source is <network>any</network> (an <any/> is no field of the model and is dropped on save). */
function dnatForwards(ctx: OpnsenseContext): XmlElement[] {
  return ctx.firewall.nat.portForwards.map((pf, i) => {
    const key = ctx.interfaceByName.get(pf.interface)?.key ?? pf.interface;
    return modelItem(ctx, 'dnat', 'rule', ctx.uuid('port-forward', pf.name), {
      sequence: String((i + 1) * 10),
      disabled: '0',
      nordr: '0',
      interface: key,
      ipprotocol: 'inet',
      protocol: pf.proto,
      source: { network: dnatNetwork(sourceOf(ctx, pf.name)), port: '', not: '0' },
      destination: { network: `${key}ip`, port: pf.port, not: '0' },
      target: pf.target,
      'local-port': pf.targetPort.split('-')[0],
      log: '0',
      descr: description(pf),
      natreflection: pf.reflection ? REFLECTION_ON : '',
      pass: '',
    });
  });
}

export const natArea: Area = {
  file: 'nat.xml',
  build(ctx) {
    const { portForwards, outboundNatRules } = ctx.release.forms;
    const outbound = element('outbound', [leaf('mode', OUTBOUND_MODE[ctx.firewall.nat.outbound]), ...(outboundNatRules === 'legacy' ? legacyOutboundRules(ctx) : [])]);
    if (portForwards === 'legacy') return [element('nat', [...legacyForwards(ctx), outbound])];
    return modelSection(ctx, 'dnat', { rule: dnatForwards(ctx) }, [outbound]);
  },
};
