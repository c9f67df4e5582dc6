// What a reflected port forward needs from the box beyond gen's rules: a
// client on the target's own network sends to the firewall, which redirects
// the connection back onto that network; the target answers the client
// directly, from an address the client did not connect to, and the client
// drops it. Only the box's reflection helper (outbound NAT towards the
// target, a <system> setting the merge keeps) makes the answer come back
// through the firewall.
import type { Firewall } from '../model.js';
import { contains, parseAddressWithPrefix, parseIPv4 } from '../net.js';
import { REFLECTION_HELPER_SETTING } from '../targets/opnsense/reflection.js';

export function reflectionSteps(firewall: Firewall): string[] {
  const steps: string[] = [];
  for (const pf of firewall.nat.portForwards) {
    const target = parseIPv4(pf.target);
    if (!pf.reflection || target === undefined) continue;
    const network = firewall.interfaces.find((i) => {
      if (i.isWan || i.address === undefined || i.prefix === undefined) return false;
      return contains(parseAddressWithPrefix(`${i.address}/${i.prefix}`)!.block, target);
    });
    if (!network) continue;
    steps.push(
      `On the firewall: ${REFLECTION_HELPER_SETTING}, Save. Port forward ${pf.name} reflects to ${pf.target}, on ${network.name}: ` +
        `without it a client on ${network.name} that connects to the ${pf.interface} address on ${pf.proto.toUpperCase()} ${pf.port} gets its answer from ${pf.target} directly and drops it.`,
    );
  }
  return steps;
}
