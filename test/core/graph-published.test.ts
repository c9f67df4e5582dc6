// gen graph draws what the firewall publishes: HAProxy's frontends on their
// interface with the host names each routes to a backend and the backends'
// servers, and each port forward's target. Each is checked against the
// haproxy.xml and nat.xml gen writes for the same topology, in the Mermaid
// text and in the layout Graphviz's dot reads from the DOT.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../src/graph/build.js';
import { toDot } from '../../src/graph/dot.js';
import { toMermaid } from '../../src/graph/mermaid.js';
import { edit, modelOf, readExample } from '../helpers.js';
import { type Xml, doc, fragments, text } from '../opnsense/support.js';
import { missing, titled } from '../system-tools.js';

const dotMissing = missing(['dot'], false);

const SITE = ['sites', 0];
/** The homelab with host names on its frontend, a server by address, and forwards to a service's port, to an address, and to another port of a service. */
function published(): string {
  let yaml = edit(readExample('homelab'), SITE.concat(['policy', 'tests']), []);
  yaml = edit(yaml, SITE.concat(['firewall', 'nat', 'port_forwards']), [
    { name: 'grafana-in', proto: 'tcp', port: 8080, service: 'grafana' },
    { name: 'ssh-in', proto: 'tcp', port: 2222, address: '10.1.0.50', target_port: 22, reflection: true },
    { name: 'pg-in', proto: 'tcp', port: 15432, service: 'postgres', target_port: 5433 },
  ]);
  yaml = edit(yaml, SITE.concat(['haproxy', 'frontends', 0, 'hosts']), [
    { name: 'grafana.example.com', backend: 'grafana' },
    { name: 'www.example.com', backend: 'web' },
    { name: 'blog.example.com', backend: 'web' },
  ]);
  return edit(yaml, SITE.concat(['haproxy', 'backends']), [
    { name: 'web', algorithm: 'roundrobin', servers: [{ service: 'traefik' }, { name: 'nas', address: '10.1.0.60', port: 8080 }] },
    { name: 'grafana', servers: [{ service: 'grafana' }] },
  ]);
}

const list = (value: unknown): Xml[] => (value === undefined ? [] : [value].flat());

/** What the generated haproxy.xml and nat.xml say: each frontend's binds, the names routed to each backend, the servers, the forwards. */
async function generated(yaml: string) {
  const files = await fragments(yaml, 'home');
  const haproxy = doc(files, 'haproxy.xml').OPNsense.HAProxy;
  const byUuid = (items: Xml[]) => new Map(items.map((item) => [item['@uuid'] as string, item]));
  const backends = byUuid(list(haproxy.backends.backend));
  const servers = byUuid(list(haproxy.servers.server));
  const acls = byUuid(list(haproxy.acls.acl));
  const actions = byUuid(list(haproxy.actions.action));
  const frontends = list(haproxy.frontends.frontend);
  // gen's own ACME challenge backend is no backend of the topology.
  const own = (backend: Xml) => !text(backend.name).startsWith('_');
  const routes = frontends.filter((f) => !text(f.name).endsWith('_http_redirect')).map((f) => {
    const names = new Map<string, string[]>();
    for (const uuid of text(f.linkedActions).split(',')) {
      const action = actions.get(uuid);
      const backend = action?.use_backend ? backends.get(text(action.use_backend)) : undefined;
      if (!backend || !own(backend)) continue;
      // A Host condition lists the name and the name with the frontend's port (a client may send either), both one name routed.
      const patterns = text(action.linkedAcls).split(',').flatMap((a) => text(acls.get(a).hdr ?? acls.get(a).ssl_sni).split(' '));
      const hosts = [...new Set(patterns.map((pattern) => pattern.replace(/:\d+$/, '')))];
      names.set(text(backend.name), [...(names.get(text(backend.name)) ?? []), ...hosts]);
    }
    const fallback = text(backends.get(text(f.defaultBackend))?.name);
    if (fallback) names.set(fallback, [...(names.get(fallback) ?? []), 'default']);
    const redirect = frontends.find((r) => text(r.name) === `${text(f.name)}_http_redirect`);
    return { name: text(f.name), binds: [text(f.bind)].concat(redirect ? [`${text(redirect.bind)} redirects to HTTPS`] : []), names };
  });
  const pools = [...backends.values()].filter(own).map((b) => ({
    name: text(b.name),
    servers: text(b.linkedServers).split(',').map((uuid) => `${text(servers.get(uuid).address)}:${text(servers.get(uuid).port)}`),
  }));
  const forwards = list(doc(files, 'nat.xml').nat.rule).map((r) => ({ port: text(r.destination.port), target: `${text(r.target)}:${text(r['local-port'])}`, proto: text(r.protocol) }));
  return { routes, pools, forwards };
}

/** The Mermaid graph as node labels (lines) and edges [from, label lines, to]. */
function mermaidOf(mermaid: string) {
  const labels = new Map([...mermaid.matchAll(/^\s*(\w+)(?:\[|\(|\{\{)"([^"]*)"/gm)].map((m) => [m[1]!, m[2]!.split('<br>')]));
  const edges = [...mermaid.matchAll(/^ {2}(\w+) (?:---|-\.->)(?:\|"([^"]*)"\|)? (\w+)$/gm)].map((m) => ({ from: m[1]!, label: m[2]?.split('<br>'), to: m[3]! }));
  return { labels, edges };
}

describe('gen graph: what the firewall publishes', () => {
  it("each HAProxy frontend on its interface with its binds, the names it routes to each backend, each backend's servers, each forward's target", async () => {
    const yaml = published();
    const expected = await generated(yaml);
    const { labels, edges } = mermaidOf(toMermaid(buildGraph(await modelOf(yaml))));
    const nodeOf = (first: string) => [...labels].find(([, lines]) => lines[0] === first)?.[0];
    const label = (node: string) => labels.get(node)!;
    expect(expected.routes.map((r) => r.name)).toEqual(['https']);
    for (const route of expected.routes) {
      const frontend = nodeOf(`frontend ${route.name}`)!;
      expect(label(frontend).slice(1)).toEqual(route.binds);
      // On the interface it listens on: the WAN, whose node has the WAN address.
      expect(edges.filter((e) => e.to === frontend).map((e) => label(e.from))).toEqual([expect.arrayContaining(['192.168.0.2/24'])]);
      const drawn = edges.filter((e) => e.from === frontend).map((e) => [label(e.to)[0], e.label]);
      expect(drawn).toEqual([...route.names].map(([backend, names]) => [`backend ${backend}`, names]));
    }
    expect(expected.routes[0]!.names).toEqual(new Map([['grafana', ['grafana.example.com']], ['web', ['www.example.com', 'blog.example.com', 'default']]]));
    for (const pool of expected.pools) {
      const drawn = edges.filter((e) => e.from === nodeOf(`backend ${pool.name}`));
      // Each server's address:port on the edge, and at its end: the service's node (its address and port) or one of its own.
      expect(drawn.map((e) => e.label)).toEqual(pool.servers.map((s) => [s]));
      for (const [i, edge] of drawn.entries()) expect(label(edge.to)).toContain(pool.servers[i]);
    }
    expect(expected.pools.flatMap((p) => p.servers)).toEqual(['10.1.0.100:80', '10.1.0.60:8080', '10.1.0.120:3000']);
    expect(expected.forwards).toHaveLength(3);
    for (const forward of expected.forwards) {
      const edge = edges.find((e) => e.label?.[0]?.startsWith(`${forward.proto} ${forward.port} to `))!;
      expect(edge.label).toEqual([expect.stringMatching(new RegExp(`^${forward.proto} ${forward.port} to ${forward.target.replace(/\./g, '\\.')} \\(`))]);
      expect(label(edge.from)).toContain('192.168.0.2/24');
      expect(label(edge.to)).toContain(forward.target);
    }
    // A target of its own hangs off the network that holds its address; one at a service's address and port is the service.
    const ssh = nodeOf('10.1.0.50:22')!;
    expect(edges.filter((e) => e.from === ssh).map((e) => label(e.to))).toEqual([['service', '10.1.0.0/24']]);
    // Its reflected connections end there too, from the networks inside the policy lets reach it (vpn-to-service, management-out).
    const reflected = edges.filter((e) => e.label?.[0] === 'tcp 2222 reflected (ssh-in)');
    expect(reflected.map((e) => [label(e.from)[0], e.to]).sort()).toEqual([['management', ssh], ['wireguard', ssh]]);
    expect(label(edges.find((e) => e.label?.[0]?.startsWith('tcp 8080 '))!.to)).toEqual(['grafana', '10.1.0.120:3000']);
    expect(label(edges.find((e) => e.label?.[0]?.startsWith('tcp 15432 '))!.to)).toEqual(['10.1.0.110:5433']);
  });

  it("ends a forward or server given by address at the service whose address and port it is", async () => {
    let yaml = edit(published(), SITE.concat(['firewall', 'nat', 'port_forwards', 3]), { name: 'grafana-alt', proto: 'tcp', port: 18080, address: '10.1.0.120', target_port: 3000 });
    yaml = edit(yaml, SITE.concat(['haproxy', 'backends', 1, 'servers', 1]), { name: 'grafana-by-address', address: '10.1.0.120', port: 3000 });
    const expected = await generated(yaml);
    // What OPNsense gets: the forward's rdr and the backend's server, both to grafana's address and port.
    expect(expected.forwards).toContainEqual({ port: '18080', target: '10.1.0.120:3000', proto: 'tcp' });
    expect(expected.pools.find((p) => p.name === 'grafana')!.servers).toEqual(['10.1.0.120:3000', '10.1.0.120:3000']);
    const { labels, edges } = mermaidOf(toMermaid(buildGraph(await modelOf(yaml))));
    const grafana = [...labels].filter(([, lines]) => lines.includes('10.1.0.120:3000'));
    // One node for the address and port: the service's.
    expect(grafana.map(([, lines]) => lines)).toEqual([['grafana', '10.1.0.120:3000']]);
    const [node] = grafana[0]!;
    expect(edges.find((e) => e.label?.[0]?.startsWith('tcp 18080 to '))!.to).toBe(node);
    const backend = [...labels].find(([, lines]) => lines[0] === 'backend grafana')![0];
    // Both servers end there (one edge: the same ends and label are drawn once).
    expect(edges.filter((e) => e.from === backend).map((e) => [e.to, e.label])).toEqual([[node, ['10.1.0.120:3000']]]);
  });

  it('draws nothing of HAProxy or forwards for a site without them', async () => {
    let yaml = edit(readExample('homelab'), SITE.concat(['haproxy']), undefined);
    yaml = edit(yaml, SITE.concat(['policy', 'tests']), []);
    const { labels } = mermaidOf(toMermaid(buildGraph(await modelOf(yaml))));
    expect([...labels.values()].filter((l) => /^(frontend|backend) /.test(l[0]!))).toEqual([]);
    expect(toMermaid(buildGraph(await modelOf(yaml)))).not.toContain('subgraph haproxy__');
  });

  it.skipIf(dotMissing)(titled('Graphviz dot lays out the frontends, backends and targets with their labels', dotMissing), async () => {
    const yaml = published();
    const expected = await generated(yaml);
    const drawn = spawnSync('dot', ['-Tjson'], { input: toDot(buildGraph(await modelOf(yaml))), encoding: 'utf8' });
    expect([drawn.status, drawn.stderr]).toEqual([0, '']);
    const layout = JSON.parse(drawn.stdout) as { objects: { _gvid: number; name: string; label?: string; nodes?: number[] }[]; edges: { tail: number; head: number; label?: string }[] };
    const lines = (label: string | undefined) => (label ?? '').split('\\n');
    const nodes = new Map(layout.objects.filter((o) => o.nodes === undefined).map((o) => [o._gvid, lines(o.label)]));
    const edge = (from: string, to: string) => layout.edges.filter((e) => nodes.get(e.tail)![0] === from && nodes.get(e.head)![0] === to).map((e) => lines(e.label));
    // The HAProxy subgraph holds the frontend and the backends.
    const cluster = layout.objects.find((o) => o.label === 'HAProxy')!;
    expect(cluster.name).toBe('cluster_haproxy__home');
    expect(cluster.nodes!.map((n) => layout.objects.find((o) => o._gvid === n)!.label!.split('\\n')[0])).toEqual(['frontend https', 'backend web', 'backend grafana']);
    for (const [backend, names] of expected.routes[0]!.names) expect(edge('frontend https', `backend ${backend}`)).toEqual([names]);
    for (const pool of expected.pools) {
      const out = layout.edges.filter((e) => nodes.get(e.tail)![0] === `backend ${pool.name}`);
      // Each server's address:port on the edge and in the label of the node it ends at.
      expect(out.map((e) => [lines(e.label)[0], nodes.get(e.head)!.includes(lines(e.label)[0]!)])).toEqual(pool.servers.map((s) => [s, true]));
    }
    for (const forward of expected.forwards) {
      const out = layout.edges.find((e) => lines(e.label)[0]!.startsWith(`${forward.proto} ${forward.port} to ${forward.target} (`))!;
      expect(nodes.get(out.head)).toContain(forward.target);
    }
  });
});
