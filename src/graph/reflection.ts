// A reflected port forward in the graph: the networks inside whose clients
// reach its target by the forward's interface address. OPNsense repeats the
// forward's rdr on the interfaces without a gateway (resolve/reflected.ts),
// and the filter then decides the redirected connection as one to the
// target, so an edge is drawn only from a network the policy lets through
// to it that way (flows.ts decides the flow to the interface address as
// such); a network the policy stops gets none, as a blocked flow gets none.
import { type Range, blockRange, intersect } from '../intervals.js';
import type { Site } from '../model.js';
import { partVerdicts } from '../flows.js';
import { reflectedForwards } from '../resolve/reflected.js';
import { siteMatches } from '../resolve/matches.js';
import type { TargetNode } from './published.js';
import type { GraphEdge } from './types.js';


/**
 * Edges from each network inside to a reflected forward's target node
 * (the one its forward from the interface ends at), labelled with the forwarded port and the forward.
 */
export function reflectionEdges(site: Site, networkNode: (network: string) => string, targetNode: TargetNode): GraphEdge[] {
  const edges: GraphEdge[] = [];
  if (!site.firewall?.nat.portForwards.some((pf) => pf.reflection)) return edges;
  for (const r of reflectedForwards(site, siteMatches(site).space.interfaceAddress)) {
    const to = targetNode(r.forward.target, r.forward.targetPort, r.forward.service);
    // tcp/udp is one rdr for both: the policy's verdict on TCP stands for it.
    const proto = r.forward.proto === 'udp' ? 'udp' : 'tcp';
    const label = `${r.forward.proto} ${r.forward.port} reflected (${r.forward.name})`;
    for (const network of site.networks) {
      const from: Range[] = intersect([blockRange(network.block)], r.sources);
      if (from.length === 0) continue;
      const verdicts = partVerdicts(site, from, [[r.destination, r.destination]], proto, r.ports[0]);
      if (verdicts.some((v) => v.verdict === 'accept' && v.reflected !== undefined)) edges.push({ from: networkNode(network.id), to, label, kind: 'flow' });
    }
  }
  return edges;
}
