// What the firewall publishes, in the graph: HAProxy's frontends (the
// address and ports each listens on, on its interface), the host names each
// routes to a backend and the servers of each backend; and where each port
// forward's connections land. The policy's WAN pass ends at the interface;
// these edges go on from it to the address and port a connection reaches.
import type { HaproxyFrontend, Site } from '../model.js';
import { parseIPv4 } from '../net.js';
import { BlockIndex } from '../resolve/block-index.js';
import type { GraphCluster, GraphEdge, GraphNode } from './types.js';

type Ids = (...parts: string[]) => string;

/** The node an address and port end at: a service's own when it is that service's address and port (named or not), else one of its own. */
export type TargetNode = (address: string, port: string, service?: string) => string;

export interface Published {
  /** HAProxy's frontends and backends, drawn inside the firewall; none without either. */
  haproxy?: GraphCluster;
  /** The nodes of the targets that are no service's address and port: the site draws them. */
  targets: GraphNode[];
  /** The node of each target, for the reflected forwards (reflection.ts) to end at the same. */
  targetNode: TargetNode;
}

/**
 * A target node per address and port, each linked once to the network that
 * holds its address (the smallest); looked up by map, not by a search per
 * target: the graph of thousands of forwards and VLANs stays linear.
 */
function targetNodes(site: Site, id: Ids, networkNode: (network: string) => string, edges: GraphEdge[]): Pick<Published, 'targets' | 'targetNode'> {
  const services = new Map(site.services.map((s) => [s.name, s]));
  // A target given by address (a forward's address:, a server's) can still be a service's address and port.
  const endpoints = new Map<string, string>();
  for (const s of site.services) if (s.port !== undefined && !endpoints.has(`${s.address}:${s.port}`)) endpoints.set(`${s.address}:${s.port}`, s.name);
  const networks = new BlockIndex(site.networks.map((n) => [n.block, n.id] as const));
  const targets: GraphNode[] = [];
  const drawn = new Set<string>();
  const targetNode: TargetNode = (address, port, service) => {
    const named = service === undefined ? undefined : services.get(service);
    const label = `${address}:${port}`;
    const own = named && named.address === address && named.port !== undefined && String(named.port) === port ? named.name : endpoints.get(label);
    if (own !== undefined) return id('svc', site.name, own);
    const node = id('target', site.name, label);
    if (drawn.has(node)) return node;
    drawn.add(node);
    targets.push({ id: node, label, shape: 'round' });
    const value = parseIPv4(address);
    const network = value === undefined ? undefined : networks.smallest(value);
    if (network !== undefined) edges.push({ from: node, to: networkNode(network), kind: 'link' });
    return node;
  };
  return { targets, targetNode };
}

function frontendLabel(frontend: HaproxyFrontend): string {
  const lines = [`frontend ${frontend.name}`, `${frontend.address}:${frontend.port}${frontend.passthrough ? ' TLS passthrough' : ''}`];
  // The redirect is a frontend of its own (render/opnsense/haproxy.ts), bound to port 80 of the same address.
  if (frontend.httpRedirect) lines.push(`${frontend.address}:80 redirects to HTTPS`);
  return lines.join('\n');
}

/**
 * Fills `edges` with: the interface → each frontend on it; a frontend → each
 * backend, labelled with the host names it routes there (and "default"); a
 * backend → each server's address:port; the interface of each port forward →
 * its target, labelled with the forwarded port. In the topology's order.
 */
export function publishedParts(site: Site, id: Ids, networkNode: (network: string) => string, edges: GraphEdge[]): Published {
  const { targets, targetNode } = targetNodes(site, id, networkNode, edges);
  // HAProxy and the forwards run on the firewall: a site without one has neither.
  const { frontends, backends } = site.firewall ? site.haproxy : { frontends: [], backends: [] };
  const backendNode = (backend: string) => id('backend', site.name, backend);
  const nodes: GraphNode[] = [];
  for (const frontend of frontends) {
    const node = id('frontend', site.name, frontend.name);
    nodes.push({ id: node, label: frontendLabel(frontend), shape: 'box' });
    edges.push({ from: id('if', site.name, frontend.interface), to: node, kind: 'link' });
    // The host names of each backend, in the frontend's order; the default backend takes every other name.
    const names = new Map<string, string[]>();
    for (const host of frontend.hosts) {
      const list = names.get(host.backend);
      if (list) list.push(host.name);
      else names.set(host.backend, [host.name]);
    }
    if (frontend.defaultBackend !== undefined) names.set(frontend.defaultBackend, [...(names.get(frontend.defaultBackend) ?? []), 'default']);
    for (const [backend, list] of names) edges.push({ from: node, to: backendNode(backend), label: list.join('\n'), kind: 'flow' });
  }
  for (const backend of backends) {
    nodes.push({ id: backendNode(backend.name), label: `backend ${backend.name}\n${backend.mode} ${backend.algorithm}`, shape: 'box' });
    for (const server of backend.servers) {
      const port = String(server.port);
      edges.push({ from: backendNode(backend.name), to: targetNode(server.address, port, server.service), label: `${server.address}:${port}`, kind: 'flow' });
    }
  }
  for (const forward of site.firewall?.nat.portForwards ?? []) {
    const to = targetNode(forward.target, forward.targetPort, forward.service);
    edges.push({ from: id('if', site.name, forward.interface), to, label: `${forward.proto} ${forward.port} to ${forward.target}:${forward.targetPort} (${forward.name})`, kind: 'flow' });
  }
  const haproxy = nodes.length > 0 ? { id: id('haproxy', site.name), label: 'HAProxy', nodes, clusters: [] } : undefined;
  return { haproxy, targets, targetNode };
}
