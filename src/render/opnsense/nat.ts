// <nat>: port forwards (each linked to its pass rule in <filter> through
// associated-rule-id) and the outbound NAT mode.
import { type Area } from './context.js';
import { portForwardRuleId } from './policy.js';
import { element, leaf } from './xml.js';

export const OUTBOUND_MODE = { automatic: 'automatic', hybrid: 'hybrid', manual: 'advanced', disabled: 'disabled' } as const;

export const natArea: Area = {
  file: 'nat.xml',
  build(ctx) {
    const forwards = ctx.firewall.nat.portForwards.map((pf) => {
      const key = ctx.interfaceByName.get(pf.interface)?.key ?? pf.interface;
      return element(
        'rule',
        [
          leaf('protocol', pf.proto),
          leaf('interface', key),
          leaf('ipprotocol', 'inet'),
          element('source', [leaf('any', '')]),
          element('destination', [leaf('network', `${key}ip`), leaf('port', pf.port)]),
          leaf('target', pf.target),
          leaf('local-port', pf.targetPort.split('-')[0]),
          leaf('descr', `gen: port forward ${pf.name}${pf.description ? `: ${pf.description}` : ''}`),
          leaf('associated-rule-id', portForwardRuleId(ctx, pf.name)),
        ],
        [['uuid', ctx.uuid('port-forward', pf.name)]],
      );
    });
    return [element('nat', [...forwards, element('outbound', [leaf('mode', OUTBOUND_MODE[ctx.firewall.nat.outbound])])])];
  },
};
