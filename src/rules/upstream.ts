// The upstream router's port forwards: derived from what listens on the
// WAN, so what can still go wrong is what the topology writes about them.
import { FirstCover, onPieces } from '../first-cover.js';
import type { UpstreamForward } from '../model.js';
import type { Rule } from './rule.js';

/** A port or a range ("8000-8010", either way round) as [low, high]. */
function portRange(text: string): [number, number] {
  const [from, to = from] = text.split('-').map(Number);
  return from! <= to! ? [from!, to!] : [to!, from!];
}

function protocols(proto: UpstreamForward['proto']): ('tcp' | 'udp')[] {
  return proto === 'tcp/udp' ? ['tcp', 'udp'] : [proto];
}

export const upstreamRules: Rule[] = [
  {
    id: 'upstream/forward-unused',
    severity: 'warning',
    summary: 'A port forward written for the upstream router has nothing listening behind it on the firewall.',
    why: 'A forward that reaches no WireGuard instance, HAProxy frontend or port forward on the WAN is a leftover: it opens the router for nothing and hides which forwards are real.',
    hint: 'Remove it from upstream.port_forwards (gen lists the forwards the router needs in steps.md), or fix its protocol and port to the listener it is meant for.',
    examples: [
      {
        where: 'sites[].firewall.upstream',
        bad: 'port_forwards:\n  - { proto: udp, port: 51820, description: WireGuard }\n  - { proto: tcp, port: 8443, description: the old admin GUI }',
        good: 'port_forwards:\n  - { proto: udp, port: 51820, description: WireGuard }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        for (const unused of site.upstream?.unused ?? []) {
          report({ path: unused.path, message: `the upstream router's forward of ${unused.proto.toUpperCase()} ${unused.port} reaches nothing: no WireGuard instance, HAProxy frontend or port forward listens on WAN port ${unused.port}` });
        }
      }
    },
  },
  {
    id: 'upstream/duplicate-external-port',
    severity: 'error',
    summary: 'Two listeners need the same external port on the upstream router.',
    why: 'A router forwards one public port to one place: the second listener would get no forward and be unreachable from the internet.',
    hint: 'Give one of them another external port in upstream.port_forwards (external_port), and its clients that port.',
    examples: [
      {
        where: 'sites[].firewall.upstream',
        bad: 'port_forwards:\n  - { proto: udp, port: 51820, description: WireGuard }\n  - { proto: tcp, port: 443, external_port: 8443, description: the ISP blocks 443 }\n  - { proto: tcp, port: 80, external_port: 8443, description: the ISP blocks 80 }',
        good: 'port_forwards:\n  - { proto: udp, port: 51820, description: WireGuard }\n  - { proto: tcp, port: 443, external_port: 8443, description: the ISP blocks 443 }\n  - { proto: tcp, port: 80, external_port: 8080, description: the ISP blocks 80 }',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        const forwards = site.upstream?.forwards ?? [];
        if (forwards.length === 0) continue;
        // The first forward taken before this one that shares a protocol and an
        // external port: per protocol, the earliest taken forward on each port.
        const taken: UpstreamForward[] = [];
        const { size, pieces } = onPieces(forwards.map((forward) => portRange(forward.externalPort)));
        const byProtocol = { tcp: new FirstCover(size), udp: new FirstCover(size) };
        const indexes = { tcp: [] as number[], udp: [] as number[] };
        for (const [i, forward] of forwards.entries()) {
          const [lo, hi] = pieces[i]!;
          let first: number | undefined;
          for (const p of protocols(forward.proto)) {
            const at = byProtocol[p].first(lo, hi);
            if (at !== undefined && (first === undefined || indexes[p][at]! < first)) first = indexes[p][at]!;
          }
          const clash = first === undefined ? undefined : taken[first];
          // Two instances, or two HAProxy frontends, on one WAN port clash on the firewall first: wg/duplicate-listen-port
          // and opnsense/haproxy-bind report that, and another external port would be the wrong fix.
          const sameSocket = clash !== undefined && clash.port === forward.port && clash.kind !== 'port-forward' && clash.kind === forward.kind;
          if (clash && !sameSocket) {
            // At the written override that makes the clash, when there is one.
            const [at, other] = !forward.declared && clash.declared ? [clash, forward] : [forward, clash];
            const both = `${clash.listener} (WAN port ${clash.port}) and ${forward.listener} (WAN port ${forward.port})`;
            report({
              path: at.declared ?? at.path,
              message: `the upstream router can forward ${forward.proto.toUpperCase()} ${forward.externalPort} to one place only, but ${both} both need it`,
              related: [{ message: `${other.listener} needs it here`, path: other.declared ?? other.path }],
            });
          } else {
            for (const p of protocols(forward.proto)) indexes[p][byProtocol[p].add(lo, hi)] = taken.length;
            taken.push(forward);
          }
        }
      }
    },
  },
  {
    id: 'upstream/listener-unforwarded',
    severity: 'error',
    summary: "A WireGuard instance's clients connect to a port the upstream router does not forward to it.",
    why: 'Clients send their handshake to endpoint_port; when the router forwards another external port to the listen port, every handshake is dropped at the router.',
    hint: 'Make external_port of the forward and endpoint_port of the instance the same port (or leave both out).',
    examples: [
      {
        context: [{ where: 'sites[].firewall.upstream', snippet: 'port_forwards:\n  - { proto: udp, port: 51820, external_port: 51821, description: WireGuard }' }],
        where: 'sites[].wireguard[]',
        bad: 'endpoint: vpn.example.com\nendpoint_port: 51820',
        good: 'endpoint: vpn.example.com\nendpoint_port: 51821',
      },
    ],
    check(model, report) {
      for (const site of model.sites) {
        for (const forward of site.upstream?.forwards ?? []) {
          const instance = forward.instance === undefined ? undefined : site.wireguard.find((w) => w.name === forward.instance);
          const port = instance?.endpointPort;
          if (instance && port !== undefined && String(port) !== forward.externalPort) {
            report({
              path: forward.declared ?? forward.path,
              message: `clients of ${instance.name} connect to port ${port}, but the upstream router forwards UDP ${forward.externalPort} to it, and nothing forwards ${port}`,
              hint: `Set endpoint_port: ${forward.externalPort} on ${instance.name} if the router forwards that port, or external_port: ${port} on this forward.`,
              related: [{ message: `${instance.name}'s endpoint port`, path: instance.path }],
            });
          }
        }
      }
    },
  },
];
