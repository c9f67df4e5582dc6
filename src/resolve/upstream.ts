// The router in front of the firewall (gen does not manage it): the port
// forwards it needs, derived from what listens on the firewall's WAN
// (WireGuard's listen ports, HAProxy frontends bound on the WAN interface,
// the firewall's own WAN port forwards), so they cannot go stale. Forwards
// written in the topology only override one: its external port and its
// description. The router exists when the topology declares it, or when the
// WAN has a private address, which only a NAT router can connect.
import type { Path } from '../location.js';
import { IPSEC_WAN_PORTS } from '../targets/opnsense/ipsec.js';
import type { Firewall, Haproxy, Upstream, UpstreamForward, Vpc, WireguardInstance } from '../model.js';
import { type Block, containsBlock, parseCidr } from '../net.js';
import type { FirewallInput } from '../topology.js';

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((c) => {
  const parsed = parseCidr(c);
  if (!parsed.ok) throw new Error(c);
  return parsed.block;
});

/** What listens on the WAN, one entry per port, with the external port clients use by default. */
function listeners(firewall: Firewall, wireguard: readonly WireguardInstance[], haproxy: Haproxy, vpc?: Vpc): UpstreamForward[] {
  const wan = firewall.interfaces.find((i) => i.isWan);
  if (!wan) return [];
  const out: UpstreamForward[] = [];
  for (const instance of wireguard) {
    if (instance.listenPort === undefined) continue;
    // Clients connect to endpoint_port: the router maps it to the listen port.
    const external = instance.endpointPort ?? instance.listenPort;
    out.push({ proto: 'udp', externalPort: String(external), port: String(instance.listenPort), listener: `WireGuard instance ${instance.name}`, kind: 'wireguard', instance: instance.name, path: instance.path.concat('listen_port') });
  }
  for (const frontend of haproxy.frontends) {
    if (frontend.interface !== wan.name) continue;
    for (const port of [...(frontend.httpRedirect ? [80] : []), frontend.port].sort((a, b) => a - b)) {
      out.push({ proto: 'tcp', externalPort: String(port), port: String(port), listener: `HAProxy frontend ${frontend.name}`, kind: 'haproxy', path: frontend.path.concat(port === frontend.port ? 'bind' : 'http_redirect') });
    }
  }
  if (vpc?.siteToSite) {
    // The site-to-site VPN's IKE and NAT traversal: its tunnels start at the WAN address (ipsec-steps.md).
    for (const port of IPSEC_WAN_PORTS.map(String)) {
      out.push({ proto: 'udp', externalPort: port, port, listener: `the site-to-site VPN to AWS VPC ${vpc.name}`, kind: 'ipsec', path: vpc.siteToSite.path });
    }
  }
  for (const pf of firewall.nat.portForwards) {
    if (pf.interface !== wan.name) continue;
    out.push({ proto: pf.proto, externalPort: pf.port, port: pf.port, listener: `port forward ${pf.name}`, kind: 'port-forward', path: pf.path.concat('port') });
  }
  return out;
}

/** Whether a WAN network is private: only a NAT router connects it to the internet, and its LAN is the upstream router's. */
export function isPrivateWan(block: Block): boolean {
  return PRIVATE.some((p) => containsBlock(p, block));
}

export function resolveUpstream(input: FirewallInput, firewall: Firewall, wireguard: readonly WireguardInstance[], haproxy: Haproxy, path: Path, vpc?: Vpc): Upstream | undefined {
  const wan = firewall.interfaces.find((i) => i.isWan);
  const network = wan?.address !== undefined && wan.prefix !== undefined ? parseCidr(`${wan.address}/32`) : undefined;
  const behindNat = network?.ok === true && isPrivateWan(network.block);
  if (!input.upstream && !behindNat) return undefined;
  const forwards = listeners(firewall, wireguard, haproxy, vpc);
  const unused: Upstream['unused'] = [];
  const taken = new Set<UpstreamForward>();
  (input.upstream?.port_forwards ?? []).forEach((declared, i) => {
    const dpath = path.concat('upstream', 'port_forwards', i);
    const forward = forwards.find((f) => !taken.has(f) && f.proto === declared.proto && f.port === String(declared.port));
    if (!forward) {
      unused.push({ proto: declared.proto, port: declared.port, path: dpath.concat('port') });
      return;
    }
    taken.add(forward);
    if (declared.external_port !== undefined) forward.externalPort = String(declared.external_port);
    forward.description = declared.description;
    forward.declared = declared.external_port !== undefined ? dpath.concat('external_port') : dpath;
  });
  return { description: input.upstream?.description, target: wan?.address, forwards, unused, path: input.upstream ? path.concat('upstream') : wan!.path };
}

/** The operator's step for each forward, or the one that says none is needed. */
export function upstreamSteps(upstream: Upstream): string[] {
  const router = `On the upstream router${upstream.description ? ` (${upstream.description})` : ''}`;
  const target = upstream.target ?? "the firewall's WAN address";
  if (upstream.forwards.length === 0) return [`${router}: no port needs forwarding to the firewall; remove any forward to it left from before.`];
  return upstream.forwards.map((f) => {
    const to = f.externalPort === f.port ? target : `${target} port ${f.port}`;
    return `${router}: forward ${f.proto.toUpperCase()} ${f.externalPort} to ${to} (${f.listener}${f.description ? `: ${f.description}` : ''}).`;
  });
}
