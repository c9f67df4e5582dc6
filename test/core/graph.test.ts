// gen graph: every network with its CIDR appears; dot accepts the DOT.
import { spawnSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { siteTopology, toYaml } from '../../bench/generate.mjs';
import { MAX_PEER_NODES, buildGraph } from '../../src/graph/build.js';
import { toDot } from '../../src/graph/dot.js';
import { toMermaid } from '../../src/graph/mermaid.js';
import { generateKeyPair } from '../../src/targets/wireguard/keys.js';
import { parse as parseYaml } from 'yaml';
import { EXAMPLES, edit, lint, modelOf, readExample, render } from '../helpers.js';
import { doc, fragments } from '../opnsense/support.js';
import { missing, titled } from '../system-tools.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const dotMissing = missing(['dot'], false);

describe.each(Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[])('graph of %s', (name) => {
  it('shows every network, subnet and peer with its address', async () => {
    const model = await modelOf(readExample(name));
    const mermaid = toMermaid(buildGraph(model));
    expect(mermaid.startsWith('flowchart LR\n')).toBe(true);
    expect(model.networks.length).toBeGreaterThan(0);
    for (const network of model.networks) expect(mermaid, network.id).toContain(`${network.name}<br>${network.cidr}`);
    for (const peer of model.sites.flatMap((s) => s.wireguard.flatMap((w) => w.peers))) expect(mermaid).toContain(`${peer.name}<br>${peer.address}`);
    for (const service of model.sites.flatMap((s) => s.services)) expect(mermaid).toContain(service.address);
  });

  it.skipIf(dotMissing)(titled('Graphviz dot renders it to SVG with every CIDR', dotMissing), async () => {
    const model = await modelOf(readExample(name));
    const drawn = spawnSync('dot', ['-Tsvg'], { input: toDot(buildGraph(model)), encoding: 'utf8' });
    expect(drawn.stderr).toBe('');
    expect(drawn.status).toBe(0);
    expect(drawn.stdout).toContain('<svg');
    for (const network of model.networks) expect(drawn.stdout).toContain(network.cidr);
  });
});

describe('graph details', () => {
  it('allowed flows are edges; the Mermaid file is in out/', async () => {
    const files = await render(readExample('homelab'));
    const graph = files.get('graph.md')!;
    expect(graph).toContain('```mermaid\nflowchart LR\n');
    expect(graph).toMatch(/internet -\.->\|"udp 51820"\| if__home__wan/);
    expect(graph).toMatch(/net__home_wireguard -\.->\|"any"\| net__home_service/);
    expect(graph).toMatch(/bridge__home__pve__vmbr1 ---\|"route via 10\.0\.0\.1"\| net__home_wireguard/);
  });

  it("a reflected port forward: an edge to its target from each network inside whose flow to the forward's address the policy passes", async () => {
    const FORWARDS = ['sites', 0, 'firewall', 'nat', 'port_forwards'];
    const forward = { name: 'grafana-in', proto: 'tcp', port: 8080, service: 'grafana' };
    const reflected = edit(readExample('homelab'), FORWARDS, [Object.assign({}, forward, { reflection: true })]);
    // The rdr as the box reads it: ForwardRule.php repeats it inside for natreflection purenat or enable.
    const rule = [doc(await fragments(reflected, 'home'), 'nat.xml').nat.rule].flat()[0];
    expect(['purenat', 'enable']).toContain(rule.natreflection);
    const zones: { name: string; networks: string[] }[] = parseYaml(reflected).sites[0].policy.zones;
    /** The networks of the zones whose policy test to the forward's address on its port passes (lint decides it as the flow to the target). */
    const passed = async (yaml: string) => {
      const tests = zones.map((z) => ({ name: `reflected-from-${z.name}`, from: z.name, to: 'wan', proto: 'tcp', port: Number(rule.destination.port), expect: 'accept' }));
      const found = await lint(edit(yaml, ['sites', 0, 'policy', 'tests'], tests));
      const failed = found.filter((d) => d.rule === 'policy/test-failed').map((d) => d.message);
      return zones.filter((z) => !failed.some((m) => m.includes(`reflected-from-${z.name}:`))).flatMap((z) => z.networks).sort();
    };
    /** The networks the graph draws a reflection edge from, and the labels of the nodes the edges reach. */
    const drawn = async (yaml: string) => {
      const mermaid = toMermaid(buildGraph(await modelOf(edit(yaml, ['sites', 0, 'policy', 'tests'], undefined))));
      const labels = new Map([...mermaid.matchAll(/^\s*(\w+)(?:\{\{|\()"([^"]*)"/gm)].map((m) => [m[1]!, m[2]!.split('<br>')]));
      const edges = [...mermaid.matchAll(/^\s*(\w+) -\.->\|"([^"]*reflected[^"]*)"\| (\w+)$/gm)];
      return { from: edges.map((e) => labels.get(e[1]!)![0]!).sort(), to: [...new Set(edges.map((e) => labels.get(e[3]!)!.join(' ')))], labels: [...new Set(edges.map((e) => e[2]))] };
    };
    const graph = await drawn(reflected);
    expect(graph.from.length).toBeGreaterThan(0);
    expect(graph.from).toEqual(await passed(reflected));
    expect(graph.to).toEqual([`${forward.service} ${rule.target}:${rule['local-port']}`]);
    expect(graph.labels).toEqual([`tcp ${rule.destination.port} reflected (${forward.name})`]);
    // A zone the policy no longer lets reach the target loses its edge; a forward without reflection draws none.
    const closed = reflected.replace(/\n *- \{ name: vpn-to-service,[^\n]*/, '');
    expect(closed).not.toBe(reflected);
    expect((await drawn(closed)).from).toEqual(await passed(closed));
    expect((await drawn(closed)).from.length).toBe(graph.from.length - 1);
    expect((await drawn(edit(reflected, FORWARDS, [forward]))).from).toEqual([]);
  });

  // Peers and services have nodes of their own; a zone of each, and a rule between them.
  const manyToMany = readExample('homelab')
    .replace('        - { name: vpn, networks: [wireguard] }\n', '        - { name: vpn, networks: [wireguard] }\n        - { name: devices, members: [mac-workstation, laptop-john, iphone-john] }\n        - { name: apps, members: [traefik, postgres, valkey] }\n')
    .replace('      rules:\n', '      rules:\n        - { name: devices-to-apps, from: devices, to: apps, proto: tcp, ports: [443], action: pass }\n');

  it('a rule from many to many goes through a node of its own: as many edges as members, not their product', async () => {
    const graph = buildGraph(await modelOf(manyToMany));
    const node = 'rule__home__devices_to_apps';
    const site = graph.clusters.find((c) => c.id === 'site__home')!;
    expect(site.nodes.find((n) => n.id === node)).toEqual({ id: node, label: 'rule devices-to-apps', shape: 'round' });
    const into = graph.edges.filter((e) => e.to === node).map((e) => [e.from, e.label]);
    const out = graph.edges.filter((e) => e.from === node).map((e) => [e.to, e.label]);
    expect(into).toEqual(['mac-workstation', 'laptop-john', 'iphone-john'].map((p) => [`peer__home__wg0__${p.replace(/-/g, '_')}`, 'tcp 443']));
    expect(out).toEqual(['traefik', 'postgres', 'valkey'].map((svc) => [`svc__home__${svc}`, 'tcp 443']));
    // No direct edge between a device and an app.
    expect(graph.edges.filter((e) => e.from.startsWith('peer__') && e.to.startsWith('svc__'))).toEqual([]);
  });

  it.skipIf(dotMissing)(titled('Graphviz dot draws the node of such a rule with its six edges', dotMissing), async () => {
    const drawn = spawnSync('dot', ['-Tsvg'], { input: toDot(buildGraph(await modelOf(manyToMany))), encoding: 'utf8' });
    expect([drawn.status, drawn.stderr]).toEqual([0, '']);
    expect(drawn.stdout).toContain('>rule devices&#45;to&#45;apps</text>');
    // dot titles each edge "from->to" (escaped).
    const edges = [...drawn.stdout.matchAll(/<title>([^<]*)&#45;&gt;([^<]*)<\/title>/g)].map((m) => [m[1], m[2]]);
    expect(edges.filter(([from, to]) => from === 'rule__home__devices_to_apps' || to === 'rule__home__devices_to_apps')).toHaveLength(6);
    expect(edges.filter(([from, to]) => from!.startsWith('peer__') && to!.startsWith('svc__'))).toEqual([]);
  });

  const hostile = { clusters: [{ id: 'c', label: 'a"]; end; x["y', nodes: [{ id: 'n', label: 'he said "hi" <b>|#', shape: 'box' as const }], clusters: [] }], edges: [] };

  it('label text cannot break out of Mermaid or DOT syntax', () => {
    const mermaid = toMermaid(hostile);
    expect(mermaid).toContain('subgraph c["a#quot;]; end; x[#quot;y"]');
    expect(mermaid).toContain('n["he said #quot;hi#quot; #lt;b#gt;#124;#35;"]');
    expect(toDot(hostile)).toContain('label="a\\"]; end; x[\\"y";');
  });

  it.skipIf(dotMissing)(titled('Graphviz dot reads the escaped labels', dotMissing), () => {
    expect(spawnSync('dot', ['-Tsvg'], { input: toDot(hostile) }).status).toBe(0);
  });

  it("a host's bonds and NICs with an address: each bond under the bridges it is the port of, with its mode and slaves, as the interfaces file has them", async () => {
    const host = ['sites', 0, 'proxmox', 'hosts', 0];
    let text = edit(readExample('homelab'), host.concat(['bonds']), [
      { name: 'bond0', slaves: ['eno1', 'eno2'], mode: '802.3ad', xmit_hash_policy: 'layer3+4' },
      { name: 'bond1', slaves: ['eno3', 'eno4'], mode: 'active-backup', address: '10.98.0.11/24' },
    ]);
    text = edit(edit(text, host.concat(['bridges', 0, 'ports']), ['bond0']), host.concat(['nics']), [{ name: 'bond0.40', address: '10.97.0.11/24' }, { name: 'eno5', address: '10.96.0.11/24' }]);
    const files = await render(text);
    const interfaces = files.get('home/proxmox/pve/interfaces')!;
    const mermaid = toMermaid(buildGraph(await modelOf(text)));
    // The host's subgraph: node id → label lines; the edges as from, label, to.
    const hostBlock = /^ {4}subgraph host__home__pve\[.*\n((?: {6}.*\n)*) {4}end$/m.exec(mermaid)![1]!;
    const labels = new Map([...hostBlock.matchAll(/^ {6}(\w+)\["(.*)"\]$/gm)].map((m) => [m[1]!, m[2]!.split('<br>')]));
    const edges = [...mermaid.matchAll(/^ {2}(\w+) ---(?:\|"(.*)"\|)? (\w+)$/gm)].map((m) => [m[1], m[2], m[3]]);
    const nodeOf = (name: string) => [...labels].find(([, label]) => label[0] === name)?.[0];
    for (const bond of ['bond0', 'bond1']) {
      const stanza = new RegExp(`^iface ${bond} inet \\S+\\n((?:\\t.*\\n)*)`, 'm').exec(interfaces)![1]!;
      const [slaves, mode] = [/\tbond-slaves (.*)/.exec(stanza)![1]!, /\tbond-mode (.*)/.exec(stanza)![1]!];
      const address = /\taddress (.*)/.exec(stanza)?.[1];
      expect(labels.get(nodeOf(bond)!)).toEqual([bond, `${mode} of ${slaves.split(' ').join(', ')}`].concat(address ? [address] : []));
    }
    // The bridges on a bond, as their bridge-ports name it; a VLAN device of a bond with an address hangs off the bond.
    const bridgePorts = [...interfaces.matchAll(/^iface (\S+) inet \S+\n(?:\t.*\n)*?\tbridge-ports (.*)$/gm)].filter((m) => m[2]!.split(' ').includes('bond0')).map((m) => m[1]);
    expect(bridgePorts).toEqual(['vmbr0']);
    expect(edges.filter(([from]) => from === nodeOf('bond0'))).toEqual([
      [nodeOf('bond0'), undefined, nodeOf('vmbr0')],
      [nodeOf('bond0'), 'VLAN 40', nodeOf('bond0.40')],
    ]);
    expect(interfaces).toMatch(/^iface bond0\.40 inet static\n\taddress 10\.97\.0\.11\/24$/m);
    expect(labels.get(nodeOf('bond0.40')!)).toEqual(['bond0.40', '10.97.0.11/24']);
    expect(labels.get(nodeOf('eno5')!)).toEqual(['eno5', '10.96.0.11/24']);
  });

  it('names that reduce to the same id stay distinct nodes', async () => {
    const text = readExample('homelab').replace('{ name: valkey,', '{ name: graf-ana,').replace('{ name: grafana,', '{ name: graf_ana,');
    const mermaid = toMermaid(buildGraph(await modelOf(text)));
    expect(mermaid).toMatch(/svc__home__graf_ana\("graf-ana/);
    expect(mermaid).toMatch(/svc__home__graf_ana_2\("graf_ana/);
  });
});

describe('an instance with more peers than a diagram can show', () => {
  /** topology.yaml with `workstations` + `mobiles` peers on wg0 (the first workstation disabled), and a rule from the fifth phone. */
  const withPeers = (workstations: number, mobiles: number): string => {
    const peers = [
      ...Array.from({ length: workstations }, (_, i) => ({ name: `ws-${i}`, role: 'workstation', address: `10.0.1.${2 + i}`, public_key: generateKeyPair().publicKey, ...(i === 0 ? { enabled: false } : {}) })),
      ...Array.from({ length: mobiles }, (_, i) => ({ name: `mobile-${i}`, role: 'mobile', address: `10.0.1.${11 + i}`, public_key: generateKeyPair().publicKey })),
    ];
    const text = readExample('homelab').replace('      rules:\n', '      rules:\n        - { name: phone-to-grafana, from: mobile-4, to: grafana, proto: tcp, ports: [3000], action: pass }\n');
    return edit(text, ['sites', 0, 'wireguard', 0, 'peers'], peers);
  };
  const wg0 = (graph: ReturnType<typeof buildGraph>) => graph.clusters.find((c) => c.id === 'site__home')!.clusters.find((c) => c.id === 'wg__home__wg0')!;

  it(`draws each of ${MAX_PEER_NODES} peers`, async () => {
    const graph = buildGraph(await modelOf(withPeers(9, MAX_PEER_NODES - 9)));
    expect(wg0(graph).nodes).toHaveLength(MAX_PEER_NODES);
    expect(wg0(graph).nodes[0]).toEqual({ id: 'peer__home__wg0__ws_0', label: 'ws-0\n10.0.1.2 workstation (disabled)', shape: 'round' });
    expect(graph.edges).toContainEqual({ from: 'peer__home__wg0__mobile_4', to: 'svc__home__grafana', label: 'tcp 3000', kind: 'flow' });
  });

  it(`draws one more by role: how many, which are disabled, the role's range; a rule from a peer starts at its role`, async () => {
    const graph = buildGraph(await modelOf(withPeers(9, MAX_PEER_NODES - 8)));
    const cluster = wg0(graph);
    expect(cluster.label).toBe(`WireGuard wg0 :51820 (${MAX_PEER_NODES + 1} peers, by role)`);
    expect(cluster.nodes).toEqual([
      { id: 'role__home__wg0__workstation', label: 'workstation: 9 peers (1 disabled)\n10.0.1.2-10.0.1.10', shape: 'round' },
      { id: 'role__home__wg0__mobile', label: `mobile: ${MAX_PEER_NODES - 8} peers\n10.0.1.11-10.0.1.50`, shape: 'round' },
    ]);
    expect(graph.edges.filter((e) => e.from.startsWith('peer__') || e.to.startsWith('peer__'))).toEqual([]);
    // One link per role to the tunnel network (parallel edges collapse), and the rule's flow from the phone's role.
    expect(graph.edges.filter((e) => e.to === 'net__home_wireguard' && e.from.startsWith('role__')).map((e) => [e.from, e.kind])).toEqual([
      ['role__home__wg0__workstation', 'link'],
      ['role__home__wg0__mobile', 'link'],
    ]);
    expect(graph.edges).toContainEqual({ from: 'role__home__wg0__mobile', to: 'svc__home__grafana', label: 'tcp 3000', kind: 'flow' });
  });

  it('gives the same diagram for 100 and 10,000 peers but their counts: short enough for GitHub (50,000 characters)', async () => {
    const counted: string[] = [];
    const mermaid = async (peers: number) => toMermaid(buildGraph(await modelOf(toYaml(siteTopology({ peers, rules: 10, vlans: 20 }))))).replace(/[\d,]+ peers/g, (found) => (counted.push(found), 'N peers'));
    // The counts are grouped by hand: Number's toLocaleString loads the locale's data on its first call.
    const locale = vi.spyOn(Number.prototype, 'toLocaleString');
    const [small, large] = [await mermaid(100), await mermaid(10000)];
    expect(locale).not.toHaveBeenCalled();
    locale.mockRestore();
    expect(counted).toEqual(['100 peers', '100 peers', '10,000 peers', '10,000 peers']);
    expect(large).toBe(small);
    expect(large.length).toBeLessThan(50000);
  });

  it('draws more peers by role with no node key and no edge per peer', async () => {
    // A node's id is looked up by its parts joined into a key; an edge is an object kept until the graph drops
    // the parallel ones. Counted for 1,000 and 2,000 peers of one role: the same, however many peers.
    const work = async (peers: number) => {
      const model = await modelOf(toYaml(siteTopology({ peers, rules: 10, vlans: 20 })));
      const counts = { joins: 0, edges: 0 };
      const { join, push } = Array.prototype;
      Array.prototype.join = function (this: unknown[], separator?: string) {
        counts.joins++;
        return join.call(this, separator);
      };
      Array.prototype.push = function (this: unknown[], ...items: unknown[]) {
        for (const item of items) if (typeof item === 'object' && item !== null && 'from' in item && 'kind' in item) counts.edges++;
        return push.apply(this, items);
      };
      try {
        const kept = buildGraph(model).edges.length;
        return { ...counts, kept };
      } finally {
        Array.prototype.join = join;
        Array.prototype.push = push;
      }
    };
    const [small, large] = [await work(1000), await work(2000)];
    expect(small.edges).toBeGreaterThanOrEqual(small.kept);
    expect(large).toEqual(small);
  });

  it.skipIf(dotMissing)(titled('Graphviz dot draws 10,000 peers as their roles', dotMissing), async () => {
    const drawn = spawnSync('dot', ['-Tsvg'], { input: toDot(buildGraph(await modelOf(toYaml(siteTopology({ peers: 10000 }))))), encoding: 'utf8', timeout: 60000 });
    expect([drawn.status, drawn.stderr]).toEqual([0, '']);
    expect(drawn.stdout).toContain('>client: 10,000 peers</text>');
  });
});

describe('gen graph command', () => {
  it.skipIf(dotMissing)(titled('writes an SVG with -o', dotMissing), async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { root } = await import('../helpers.js');
    const out = join(tempDir('gen-graph-'), 'topology.svg');
    const r = spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'graph', 'examples/vlan-hosting.yaml', '--format', 'svg', '-o', out], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toContain('<svg');
    for (const cidr of ['192.168.10.0/24', '192.168.20.0/24', '192.168.30.0/24']) expect(svg).toContain(cidr);
  });

  it.skipIf(dotMissing)(titled('-o x.svg draws SVG and -o x.png PNG, not Mermaid text, without --format', dotMissing), async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { root } = await import('../helpers.js');
    const dir = tempDir('gen-graph-');
    writeFileSync(join(dir, 'topology.yaml'), readExample('aws-vpc'));
    const gen = (args: string[]) => spawnSync(process.execPath, [join(root, 'bin/gen.js'), ...args], { cwd: dir, encoding: 'utf8' });
    expect(gen(['graph', '-o', 'g.svg']).status).toBe(0);
    expect(readFileSync(join(dir, 'g.svg'), 'utf8')).toMatch(/<svg[\s\S]*10\.30\.1\.0\/24[\s\S]*<\/svg>\n$/);
    expect(gen(['graph', '-o', 'g.png']).status).toBe(0);
    expect(readFileSync(join(dir, 'g.png')).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });
});

// A stand-in dot on PATH: the sentences for a dot that fails need no Graphviz.
describe('gen graph -o x.svg with a dot that fails', () => {
  it('says its exit status or signal when it prints nothing, stops it after GEN_DOT_TIMEOUT_MS, and says when it is not there', async () => {
    const { chmodSync, existsSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { root } = await import('../helpers.js');
    const dir = tempDir('gen-graph-');
    writeFileSync(join(dir, 'topology.yaml'), readExample('aws-vpc'));
    const fake = (name: string, script: string): string => {
      const bin = join(dir, name);
      mkdirSync(bin);
      writeFileSync(join(bin, 'dot'), `#!/bin/sh\ncat >/dev/null\n${script}\n`);
      chmodSync(join(bin, 'dot'), 0o755);
      // ahead of the system's directories, for cat and sleep (and ahead of a real dot)
      return `${bin}:/usr/bin:/bin`;
    };
    const gen = (path: string, env: NodeJS.ProcessEnv = {}) => {
      const started = Date.now();
      const r = spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'graph', '-o', 'g.svg'], { cwd: dir, encoding: 'utf8', env: Object.assign({}, process.env, { PATH: path }, env), timeout: 20_000 });
      return { code: r.status, stderr: r.stderr, seconds: (Date.now() - started) / 1000 };
    };
    expect(gen(fake('status', 'exit 3'))).toMatchObject({ code: 1, stderr: 'gen: Graphviz dot failed without a message: it exited with status 3\n' });
    expect(gen(fake('signal', 'kill -KILL $$'))).toMatchObject({ code: 1, stderr: 'gen: Graphviz dot failed without a message: it was killed by SIGKILL\n' });
    expect(gen(fake('said', 'echo "Error: syntax error in line 1" >&2; exit 1'))).toMatchObject({ code: 1, stderr: 'gen: Graphviz dot failed: Error: syntax error in line 1\n' });
    // An escape sequence in what dot says reaches the terminal as text, not as a command to it.
    expect(gen(fake('escape', 'printf "Error: \\033]0;owned\\007 near line 1\\n" >&2; exit 1'))).toMatchObject({ code: 1, stderr: 'gen: Graphviz dot failed: Error: \\u001b]0;owned\\u0007 near line 1\n' });
    const slow = gen(fake('slow', 'exec sleep 15'), { GEN_DOT_TIMEOUT_MS: '500' });
    expect(slow).toMatchObject({ code: 1, stderr: expect.stringMatching(/^gen: Graphviz dot did not finish within 0\.5 s and was stopped \(GEN_DOT_TIMEOUT_MS sets the limit; .*\)\n$/) });
    expect(slow.seconds).toBeLessThan(10);
    expect(gen(join(dir, 'nothing-here'))).toMatchObject({ code: 1, stderr: expect.stringMatching(/^gen: Graphviz dot is not installed/) });
    expect(existsSync(join(dir, 'g.svg'))).toBe(false);
  }, 60_000);
});
