// The topology as a graph: clusters (sites, hosts, the firewall, the VPC),
// nodes (bridges, networks, peers, services, subnets, security groups) and
// edges (attachments and the flows the policy allows). Mermaid and DOT are
// two spellings of this one structure.
import type { Host, Model, Network, Peer, PolicyObject, Site, WireguardInstance } from '../model.js';
import { vlanRawDevice } from '../targets/proxmox/interfaces.js';
import { UniqueNames } from '../unique-names.js';
import { publishedParts } from './published.js';
import { reflectionEdges } from './reflection.js';
import type { Graph, GraphCluster, GraphEdge, GraphNode } from './types.js';

export type { Graph, GraphCluster, GraphEdge, GraphNode };

type Ids = (...parts: string[]) => string;

/**
 * Node ids are derived from names but reduced to [a-z0-9_], so no label
 * text reaches the syntax; two names that reduce alike get a suffix.
 */
function idRegistry(): Ids {
  const byKey = new Map<string, string>();
  const ids = new UniqueNames('_');
  return (...parts: string[]) => {
    const key = parts.join('\u0000');
    let id = byKey.get(key);
    if (id) return id;
    id = ids.take(parts.join('__').toLowerCase().replace(/[^a-z0-9_]/g, '_'));
    byKey.set(key, id);
    return id;
  };
}

function networkLabel(network: Network): string {
  return `${network.name}\n${network.cidr}`;
}

/**
 * An instance with more peers is drawn with a node per role, not per peer:
 * a diagram of thousands of peers is unreadable, Mermaid renders no text
 * over 50,000 characters unless configured otherwise (maxTextSize; the
 * out/graph.md of 500 peers was more), and Graphviz's dot was still laying
 * out 10,000 after 50 seconds, 100,000 after ten minutes (now: under one
 * second and 23 seconds). `gen wg list` lists the peers.
 */
export const MAX_PEER_NODES = 40;

/** 10000 as "10,000": toLocaleString's first call loads the locale's number data (12 ms, some 40 % of the graph of 10,000 peers). */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

function count(n: number, what: string): string {
  return `${grouped(n)} ${what}${n === 1 ? '' : 's'}`;
}

/** A node per role that has peers, in the instance's order of roles: how many, its range, how many are disabled. */
function roleNodes(wg: WireguardInstance, nodeOf: (peer: Peer) => string): GraphNode[] {
  const peers = new Map<string, Peer[]>();
  for (const peer of wg.peers) {
    const list = peers.get(peer.role);
    if (list) list.push(peer);
    else peers.set(peer.role, [peer]);
  }
  const ranges = new Map(wg.roles.map((r) => [r.name, `${r.from}-${r.to}`]));
  const order = [...new Set([...wg.roles.map((r) => r.name), ...peers.keys()])].filter((role) => peers.has(role));
  return order.map((role) => {
    const members = peers.get(role)!;
    const disabled = members.filter((p) => !p.enabled).length;
    const range = ranges.get(role);
    return {
      id: nodeOf(members[0]!),
      label: `${role}: ${count(members.length, 'peer')}${disabled > 0 ? ` (${grouped(disabled)} disabled)` : ''}${range ? `\n${range}` : ''}`,
      shape: 'round' as const,
    };
  });
}

/**
 * A host's bonds and its NICs with an address of their own (a corosync or
 * storage link, a VLAN device eno2.40 or bond0.30): a bond is the uplink of
 * the bridges it is a port of (directly or by a VLAN device of it), and a
 * NIC or bond with an address is on its network as a bridge with one is.
 */
function hostLinks(site: Site, host: Host, edges: GraphEdge[], id: Ids, networkNode: (network: string) => string): GraphNode[] {
  const bondNode = (bond: string) => id('bond', site.name, host.name, bond);
  const bonds = new Set(host.bonds.map((b) => b.name));
  // An edge from the bond under a port or NIC: the bond itself, or the bond under a VLAN device bondN.M.
  const fromBond = (device: string, to: string) => {
    const raw = vlanRawDevice(device);
    if (bonds.has(device)) edges.push({ from: bondNode(device), to, kind: 'link' });
    else if (raw !== undefined && bonds.has(raw)) edges.push({ from: bondNode(raw), to, label: `VLAN ${device.slice(raw.length + 1)}`, kind: 'link' });
  };
  const nodes: GraphNode[] = host.bonds.map((bond) => ({
    id: bondNode(bond.name),
    label: [bond.name, `${bond.mode} of ${bond.slaves.join(', ')}`, bond.address === undefined ? undefined : `${bond.address}/${bond.prefix}`].filter(Boolean).join('\n'),
    shape: 'box' as const,
  }));
  for (const bridge of host.bridges) for (const port of bridge.ports) fromBond(port, id('bridge', site.name, host.name, bridge.name));
  for (const nic of host.nics) {
    if (nic.address === undefined) continue;
    const nicNode = id('nic', site.name, host.name, nic.name);
    nodes.push({ id: nicNode, label: `${nic.name}\n${nic.address}/${nic.prefix}`, shape: 'box' });
    fromBond(nic.name, nicNode);
  }
  for (const bond of host.bonds) if (bond.network) edges.push({ from: bondNode(bond.name), to: networkNode(bond.network), kind: 'link' });
  for (const nic of host.nics) if (nic.address !== undefined && nic.network) edges.push({ from: id('nic', site.name, host.name, nic.name), to: networkNode(nic.network), kind: 'link' });
  return nodes;
}

function siteCluster(site: Site, edges: GraphEdge[], id: Ids): GraphCluster {
  const networkNode = (networkId: string) => id('net', networkId);
  const networks = site.networks.map((n) => ({ id: networkNode(n.id), label: networkLabel(n), shape: 'network' as const }));
  const clusters: GraphCluster[] = [];
  for (const host of site.hosts) {
    const nodes: GraphNode[] = host.bridges.map((b) => ({
      id: id('bridge', site.name, host.name, b.name),
      label: [b.name, b.address ? `${b.address}/${b.prefix}` : undefined, b.vids.length ? `VLANs ${b.vids.join(',')}` : undefined].filter(Boolean).join('\n'),
      shape: 'box' as const,
    }));
    for (const bridge of host.bridges) {
      if (bridge.network) edges.push({ from: id('bridge', site.name, host.name, bridge.name), to: networkNode(bridge.network), kind: 'link' });
    }
    for (const route of host.routes) {
      edges.push({ from: id('bridge', site.name, host.name, route.bridge), to: networkNode(route.network), label: `route via ${route.via}`, kind: 'link' });
    }
    for (const node of hostLinks(site, host, edges, id, networkNode)) nodes.push(node);
    clusters.push({ id: id('host', site.name, host.name), label: `Proxmox ${host.name}`, nodes, clusters: [] });
  }
  let firewallCluster: GraphCluster | undefined;
  if (site.firewall) {
    const nodes: GraphNode[] = site.firewall.interfaces.map((i) => ({
      id: id('if', site.name, i.name),
      label: `${i.key} ${i.description}\n${i.device}${i.vlan ? ` (VLAN ${i.vlan.tag})` : ''}${i.address ? `\n${i.address}/${i.prefix}` : i.addressing === 'dhcp' ? '\nDHCP' : ''}`,
      shape: 'box' as const,
    }));
    for (const i of site.firewall.interfaces) {
      if (i.network) edges.push({ from: id('if', site.name, i.name), to: networkNode(i.network), kind: 'link' });
      const host = site.hosts.find((h) => h.bridges.some((b) => b.name === i.bridge && b.firewallInterfaces.includes(i.name)));
      if (host && i.bridge) edges.push({ from: id('if', site.name, i.name), to: id('bridge', site.name, host.name, i.bridge), kind: 'link' });
    }
    if (site.policy.rules.some((r) => r.to.kind === 'self')) nodes.push({ id: id('self', site.name), label: 'the firewall itself', shape: 'round' });
    firewallCluster = { id: id('fw', site.name), label: `OPNsense ${site.firewall.name} ${site.firewall.release}`, nodes, clusters: [] };
    clusters.push(firewallCluster);
  }
  // The node that stands for a peer, by instance and peer name: its own, or its role's in an instance drawn by role.
  const peerNodes = new Map<string, Map<string, string>>();
  for (const wg of site.wireguard) {
    const byRole = wg.peers.length > MAX_PEER_NODES;
    // A role's node asked for once, at its first peer (where the registry learns its id, as for each peer
    // before): 100,000 peers of a few roles were as many keys joined and looked up.
    const roleIds = new Map<string, string>();
    const nodeOf = (peer: Peer): string => {
      if (!byRole) return id('peer', site.name, wg.name, peer.name);
      let node = roleIds.get(peer.role);
      if (node === undefined) roleIds.set(peer.role, (node = id('role', site.name, wg.name, peer.role)));
      return node;
    };
    let named = peerNodes.get(wg.name);
    if (!named) peerNodes.set(wg.name, (named = new Map()));
    for (const peer of wg.peers) named.set(peer.name, nodeOf(peer));
    const nodes = byRole ? roleNodes(wg, nodeOf) : wg.peers.map((p) => ({ id: nodeOf(p), label: `${p.name}\n${p.address} ${p.role}${p.enabled ? '' : ' (disabled)'}`, shape: 'round' as const }));
    // One link per node that stands for enabled peers: the rest would be the same edge again, which the graph
    // drops (buildGraph keeps the first of each); drawn by role, 100,000 peers were 100,000 edges to drop.
    const linked = new Set<string>();
    for (const peer of wg.peers) {
      if (!peer.enabled) continue;
      const from = nodeOf(peer);
      if (linked.has(from)) continue;
      linked.add(from);
      edges.push({ from, to: networkNode(wg.network), kind: 'link' });
    }
    const drawn = byRole ? ` (${count(wg.peers.length, 'peer')}, by role)` : '';
    clusters.push({ id: id('wg', site.name, wg.name), label: `WireGuard ${wg.name} :${wg.listenPort ?? '?'}${drawn}`, nodes, clusters: [] });
  }
  const services = site.services.map((s) => ({ id: id('svc', site.name, s.name), label: `${s.name}\n${s.address}${s.port ? `:${s.port}` : ''}`, shape: 'round' as const }));
  for (const service of site.services) if (service.network) edges.push({ from: id('svc', site.name, service.name), to: networkNode(service.network), kind: 'link' });
  // After the services: a backend server or forward to a service ends at the service's node.
  const published = publishedParts(site, id, networkNode, edges);
  if (firewallCluster && published.haproxy) firewallCluster.clusters.push(published.haproxy);

  const internetId = 'internet';
  // A peer or service has its own node; a role or an address shows as the network that holds it.
  const objectNode = (o: PolicyObject): string[] => {
    if (o.kind === 'peer') return [peerNodes.get(o.instance ?? '')?.get(o.name) ?? id('peer', site.name, o.instance ?? '', o.name)];
    if (o.kind === 'service') return [id('svc', site.name, o.name)];
    return [o.network ? networkNode(o.network) : internetId];
  };
  const ruleNodes: GraphNode[] = [];
  for (const rule of site.policy.rules) {
    if (rule.action !== 'pass') continue;
    // A WAN pass open only to some sources (a port forward's or frontend's from:) names them: most are internet addresses, drawn as the internet.
    const only = rule.from.kind === 'wan' && rule.sources.length > 0 ? ` from ${rule.sources.map((o) => o.name).join(', ')}` : '';
    const label = `${rule.proto === 'any' ? 'any' : rule.proto}${rule.ports.length ? ` ${rule.ports.join(',')}` : ''}${only}`;
    const sources = rule.from.kind === 'wan' ? (rule.sources.length > 0 ? rule.sources.flatMap(objectNode) : [internetId]) : rule.sources.flatMap(objectNode);
    let targets: string[];
    if (rule.to.kind === 'wan-address') targets = [id('if', site.name, rule.to.interface)];
    else if (rule.to.kind === 'internet') targets = [internetId];
    else if (rule.to.kind === 'self') targets = [id('self', site.name)];
    else targets = rule.to.kind === 'any' ? [...site.internalNetworks.map(networkNode), internetId] : rule.destinations.flatMap(objectNode);
    const from = [...new Set(sources)];
    const to = [...new Set(targets)];
    // Many to many goes through a node of the rule: an edge per pair made a
    // rule between two zones of 4,000 members 16 million edges, more than
    // a build could hold.
    if (from.length * to.length > from.length + to.length) {
      const ruleId = id('rule', site.name, rule.name);
      ruleNodes.push({ id: ruleId, label: `rule ${rule.name}`, shape: 'round' });
      for (const f of from) edges.push({ from: f, to: ruleId, label, kind: 'flow' });
      for (const t of to) edges.push({ from: ruleId, to: t, label, kind: 'flow' });
    } else {
      for (const f of from) for (const t of to) if (f !== t) edges.push({ from: f, to: t, label, kind: 'flow' });
    }
  }
  for (const edge of reflectionEdges(site, networkNode, published.targetNode)) edges.push(edge);
  return { id: id('site', site.name), label: `site ${site.name}`, nodes: [...networks, ...services, ...published.targets, ...ruleNodes], clusters };
}

export function buildGraph(model: Model): Graph {
  const id = idRegistry();
  const edges: GraphEdge[] = [];
  const internet: GraphNode = { id: 'internet', label: 'internet', shape: 'round' };
  const clusters = model.sites.map((site) => siteCluster(site, edges, id));
  const vpc = model.aws?.vpc;
  if (vpc) {
    const subnets = vpc.subnets.map((s) => ({ id: id('subnet', s.name), label: `${s.name}\n${s.cidr}\n${s.az} ${s.tier}`, shape: 'network' as const }));
    const groups = vpc.securityGroups.map((g) => ({ id: id('sg', g.name), label: `sg ${g.name}`, shape: 'box' as const }));
    for (const group of vpc.securityGroups) {
      for (const rule of group.ingress) {
        const ports = rule.ports.map((p) => (p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`)).join(',');
        const label = `${rule.proto}${ports ? ` ${ports}` : ''}`;
        edges.push({ from: rule.group ? id('sg', rule.group) : rule.cidr === '0.0.0.0/0' ? 'internet' : id('cidr', rule.cidr ?? ''), to: id('sg', group.name), label, kind: 'flow' });
      }
    }
    const cidrs = [...new Set(vpc.securityGroups.flatMap((g) => g.ingress.map((r) => r.cidr)).filter((c): c is string => !!c && c !== '0.0.0.0/0'))];
    clusters.push({
      id: id('vpc', vpc.name),
      label: `AWS VPC ${vpc.name}\n${vpc.cidr} (${model.aws!.region})`,
      nodes: [...subnets, ...groups, ...cidrs.map((c) => ({ id: id('cidr', c), label: c, shape: 'round' as const }))],
      clusters: [],
    });
    if (vpc.siteToSite) {
      const site = model.sites.find((s) => s.name === vpc.siteToSite!.site);
      const wan = site?.firewall?.interfaces.find((i) => i.isWan);
      if (site && wan) edges.push({ from: id('if', site.name, wan.name), to: id('vpc', vpc.name, 'vgw'), label: 'IPsec', kind: 'link' });
      clusters[clusters.length - 1]!.nodes.push({ id: id('vpc', vpc.name, 'vgw'), label: 'VPN gateway', shape: 'box' });
    }
  }
  // Parallel edges collapse: one edge per pair and label.
  const seen = new Set<string>();
  const unique = edges.filter((e) => {
    const key = `${e.from}|${e.to}|${e.label ?? ''}|${e.kind}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const used = unique.some((e) => e.from === 'internet' || e.to === 'internet');
  return { clusters: used ? [{ id: 'outside', label: 'outside', nodes: [internet], clusters: [] }, ...clusters] : clusters, edges: unique };
}
