// Manual outbound NAT rules (a WireGuard network or a remote network the
// policy lets out of the WAN, or a network behind a router on an internal network, translated to
// the WAN address), in the form the release keeps them: legacy
// <nat><outbound><rule> (the form firewall_nat_out_edit.php writes), or a
// source NAT rule of the Filter model (26.7, where legacy outbound rules
// bring up the migration assistant). Either needs mode hybrid or advanced.
import { fitDescription } from '../../targets/opnsense/descriptions.js';
import { type OpnsenseContext } from './context.js';
import { modelItem } from './fields.js';
import { type XmlElement, element, leaf } from './xml.js';

interface OutboundRule {
  uuid: string;
  interface: string;
  source: string;
  description: string;
}

function outboundRules(ctx: OpnsenseContext): OutboundRule[] {
  return ctx.firewall.nat.outboundRules.map((rule) => ({
    uuid: rule.route ? ctx.uuid('outbound-nat-route', rule.route.network) : rule.remote ? ctx.uuid('outbound-nat-remote', rule.remote) : ctx.uuid('outbound-nat', rule.instance!),
    interface: ctx.interfaceByName.get(rule.interface)?.key ?? rule.interface,
    source: rule.source,
    description: fitDescription(
      rule.route
        ? `gen: NAT network ${rule.route.network} behind ${rule.route.via} to the WAN address`
        : rule.remote
          ? `gen: NAT remote network ${rule.remote} ${rule.source} to the WAN address`
          : `gen: NAT WireGuard ${rule.instance} tunnel to the WAN address`,
    ),
  }));
}

/** Legacy rules: an empty target is the interface's address. */
export function legacyOutboundRules(ctx: OpnsenseContext): XmlElement[] {
  return outboundRules(ctx).map((rule) =>
    element(
      'rule',
      [
        leaf('interface', rule.interface),
        leaf('ipprotocol', 'inet'),
        element('source', [leaf('network', rule.source)]),
        element('destination', [leaf('any', '1')]),
        leaf('target', ''),
        leaf('targetip_subnet', '0'),
        leaf('descr', rule.description),
      ],
      [['uuid', rule.uuid]],
    ),
  );
}

/** Source NAT rules of the Filter model, to the interface's address (<key>ip). */
export function mvcOutboundRules(ctx: OpnsenseContext): XmlElement[] {
  return outboundRules(ctx).map((rule, i) =>
    modelItem(ctx, 'filter', 'snatrules.rule', rule.uuid, {
      enabled: '1',
      nonat: '0',
      sequence: String((i + 1) * 10),
      interface: rule.interface,
      ipprotocol: 'inet',
      protocol: 'any',
      source_net: rule.source,
      source_not: '0',
      source_port: '',
      destination_net: 'any',
      destination_not: '0',
      destination_port: '',
      target: `${rule.interface}ip`,
      target_port: '',
      log: '0',
      description: rule.description,
    }),
  );
}
