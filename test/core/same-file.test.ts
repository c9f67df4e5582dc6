// Names whose files are one file where case does not count (macOS's and
// Windows' default file systems), or one file anywhere: lint refuses them
// at the later name (names/same-file), and emit holds every tree to it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EmitError, emitTree } from '../../src/emit.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { nameRules } from '../../src/rules/names.js';
import { edit, lint, lineOfText, modelOf, readExample, root } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bin = join(root, 'bin/gen.js');

function gen(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The 1-based line and column where `needle` first starts in `text`. */
function at(text: string, needle: string): [number, number] {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`${needle} is not in the text`);
  const before = text.slice(0, index).split('\n');
  return [before.length, before[before.length - 1]!.length + 1];
}

const sameFile = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.rule === 'names/same-file');
const located = (d: Diagnostic) => [d.location.line, d.location.col];

const PEERS = ['sites', 0, 'wireguard', 0, 'peers'] as const;

describe('names/same-file', () => {
  it("refuses a tunnel_name that differs only in case from another peer's, at that tunnel_name; build writes nothing", () => {
    const text = edit(readExample('homelab'), [...PEERS, 1, 'tunnel_name'], 'MAC-WS');
    const dir = tempDir('gen-case-');
    writeFileSync(join(dir, 'topology.yaml'), text);
    const r = gen(['lint'], dir);
    const [line, col] = at(text, 'MAC-WS');
    const [firstLine, firstCol] = at(text, 'mac-ws');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `topology.yaml:${line}:${col}: error peer laptop-john: its client files MAC-WS.conf and MAC-WS-lan.conf differ only in case from peer mac-workstation's client files mac-ws.conf and mac-ws-lan.conf: ` +
        'a file system that ignores case (the default on macOS and Windows) takes each pair for one file, so one would replace the other  [names/same-file]\n' +
        `  topology.yaml:${firstLine}:${firstCol}: peer mac-workstation\n` +
        '  fix: Set tunnel_name on peer laptop-john so that their client files differ in more than case.\n\n1 error, 0 warnings\n',
    );
    const build = gen(['build'], dir);
    expect([build.code, build.stderr.split('\n').at(-2)]).toEqual([1, 'gen: 1 error; nothing was written to out']);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('refuses two peers whose names differ only in case (their keys and client files), at the later one', async () => {
    const data = parse(readExample('homelab'));
    const peers = data.sites[0].wireguard[0].peers;
    peers.push({ ...peers[1], name: 'Laptop-John', address: '10.0.1.4', public_key: 'eajhiClqdn4DDwQW29Ru4kFkNJxNiADHeD5oQ0BLmD4=' });
    const text = edit(readExample('homelab'), [...PEERS], peers);
    const found = sameFile(await lint(text));
    expect(found.map(located)).toEqual([at(text, 'Laptop-John')]);
    expect(found[0]!.message).toBe(
      'peer Laptop-John: its private key home/wireguard/wg0/peers/Laptop-John.key, client file Laptop-John.conf and client file Laptop-John-lan.conf differ only in case from ' +
        "peer laptop-john's private key home/wireguard/wg0/peers/laptop-john.key, client file laptop-john.conf and client file laptop-john-lan.conf: " +
        'a file system that ignores case (the default on macOS and Windows) takes each pair for one file, so one would replace the other',
    );
    expect(found[0]!.hint).toBe("Rename peer Laptop-John so that it differs from laptop-john in more than case (its private key takes the peer's name, whatever its tunnel_name).");
    // Its keys collide whether or not it is enabled; a tunnel_name of its own leaves the key.
    const disabled = edit(edit(text, [...PEERS, peers.length - 1, 'enabled'], false), [...PEERS, peers.length - 1, 'tunnel_name'], 'jl');
    expect(sameFile(await lint(disabled)).map((d) => d.message.split(' differ')[0])).toEqual(['peer Laptop-John: its private key home/wireguard/wg0/peers/Laptop-John.key']);
  });

  it("refuses a tunnel_name equal to another peer's client file name, at the later name, and accepts one that differs", async () => {
    const text = edit(readExample('homelab'), [...PEERS, 0, 'tunnel_name'], 'laptop-john');
    const found = sameFile(await lint(text));
    expect(found.map(located)).toEqual([at(text, '- name: laptop-john').map((n, i) => n + (i === 1 ? 8 : 0))]);
    expect(found[0]!.message).toBe("peer laptop-john: its client files laptop-john.conf and laptop-john-lan.conf are also peer mac-workstation's, so one would replace the other");
    expect(found[0]!.related).toEqual([{ message: 'peer mac-workstation', location: expect.objectContaining({ line: at(text, 'tunnel_name: laptop-john')[0] }) }]);
    expect(sameFile(await lint(edit(readExample('homelab'), [...PEERS, 0, 'tunnel_name'], 'mac-ws2')))).toEqual([]);
    // A disabled peer writes no client file, and so takes none.
    expect(sameFile(await lint(edit(text, [...PEERS, 1, 'enabled'], false)))).toEqual([]);
  });

  it('refuses sites and Proxmox hosts whose names differ only in case, once each', async () => {
    const data = parse(readExample('homelab'));
    const host = data.sites[0].proxmox.hosts[0];
    const hosts = edit(readExample('homelab'), ['sites', 0, 'proxmox', 'hosts'], [host, { ...host, name: 'PVE' }]);
    const hostFindings = sameFile(await lint(hosts));
    expect(hostFindings.map((d) => [...located(d), d.message.split(':')[0]])).toEqual([[...at(hosts, '- name: PVE').map((n, i) => n + (i === 1 ? 8 : 0)), 'Proxmox host PVE']]);
    expect(hostFindings[0]!.message).toContain('its directory home/proxmox/PVE/ differs only in case from Proxmox host pve\'s directory home/proxmox/pve/');
    const sites = edit(readExample('homelab'), ['sites'], [data.sites[0], { ...data.sites[0], name: 'Home' }]);
    const siteFindings = sameFile(await lint(sites));
    // The site, not each of its files.
    expect(siteFindings.map((d) => [d.location.line, d.message.split(':')[0]])).toEqual([[lineOfText(sites, 'name: Home'), 'site Home']]);
    expect(siteFindings[0]!.message).toContain("its directory Home/ differs only in case from site home's directory home/");
  });

  it("refuses a site named like a file at the root of out/ (its directory would be that file), and builds nothing", () => {
    for (const name of ['plan.json', 'Graph.md', 'MANIFEST']) {
      const yaml = edit(readExample('homelab'), ['sites', 0, 'name'], name);
      const dir = tempDir('gen-same-file-');
      writeFileSync(join(dir, 'topology.yaml'), yaml);
      const r = gen(['build'], dir);
      expect(r.code, name).toBe(1);
      const [line, col] = at(yaml, `name: ${name}`);
      expect(r.stderr).toContain(`topology.yaml:${line}:${col + 6}: error site ${name} would be the directory out/${name}, where gen writes its file ${name === 'Graph.md' ? 'graph.md' : name}  [names/same-file]`);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    }
  });

  it("refuses a site named aws, in any case, beside the topology's aws section (out/aws/ holds its Terraform)", async () => {
    for (const name of ['AWS', 'aws']) {
      const yaml = edit(readExample('homelab'), ['sites', 0, 'name'], name);
      const found = sameFile(await lint(yaml));
      expect(found.map((d) => [...located(d), d.message]), name).toEqual([
        [...at(yaml, `name: ${name}`).map((n, i) => n + (i === 1 ? 6 : 0)), `site ${name} would share its directory out/${name} with gen's AWS files in out/aws/ (one directory where case does not count)`],
      ]);
    }
    // Without an aws section there is no out/aws/ to share.
    const alone = edit(edit(readExample('homelab'), ['sites', 0, 'name'], 'AWS'), ['aws'], undefined);
    expect(sameFile(await lint(alone))).toEqual([]);
  });

  it('gen wg add-peer refuses a name that differs only in case from a peer it added, before writing a key or the topology', () => {
    const dir = tempDir('gen-case-');
    writeFileSync(join(dir, 'topology.yaml'), readExample('homelab'));
    expect(gen(['wg', 'add-peer', 'new1', '--role', 'workstation'], dir).code).toBe(0);
    const before = readFileSync(join(dir, 'topology.yaml'), 'utf8');
    const r = gen(['wg', 'add-peer', 'New1', '--role', 'workstation'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error peer New1: its private key home\/wireguard\/wg0\/peers\/New1\.key, .* differ only in case from peer new1's .*\[names\/same-file\]/);
    expect(readFileSync(join(dir, 'topology.yaml'), 'utf8')).toBe(before);
    expect(readdirSync(join(dir, '.secrets/home/wireguard/wg0/peers'))).toEqual(['new1.key']);
  });

  it('builds no path per peer: a name met once costs its lower case and a map entry', async () => {
    const model = await modelOf(readExample('homelab'));
    const site = model.sites[0]!;
    const peers = site.wireguard[0]!.peers;
    for (let i = 0; i < 2000; i++) peers.push(Object.assign({}, peers[0]!, { name: `many-${i}`, tunnelName: `many-${i}` }));
    // One more whose name differs only in case: still found.
    peers.push(Object.assign({}, peers[0]!, { name: 'MANY-7', tunnelName: 'MANY-7' }));
    let reads = 0;
    const name = site.name;
    Object.defineProperty(site, 'name', { get: () => (reads++, name) });
    const found: string[] = [];
    nameRules.find((r) => r.id === 'names/same-file')!.check!(model, (f) => found.push(f.message));
    expect(found).toEqual([expect.stringMatching(/^peer MANY-7: its private key home\/wireguard\/wg0\/peers\/MANY-7\.key, client file MANY-7\.conf and client file MANY-7-lan\.conf differ only in case from peer many-7's/)]);
    // Each peer's key path named the site: 2,000 reads.
    expect(reads).toBeLessThan(50);
  });

  it('finds nothing in the reference topologies', async () => {
    for (const example of ['homelab', 'vlan-hosting', 'aws-vpc', 'homelab-family'] as const) expect(sameFile(await lint(readExample(example))), example).toEqual([]);
  });
});

describe('emit refuses a tree whose paths differ only in case', () => {
  it('two files, or a file and a directory, and writes nothing', () => {
    const out = join(tempDir('gen-case-'), 'out');
    expect(() => emitTree(out, new Map([['home/wireguard/mac-ws.conf', 'a\n'], ['home/wireguard/MAC-WS.conf', 'b\n']]))).toThrow(EmitError);
    expect(() => emitTree(out, new Map([['home/wireguard/mac-ws.conf', 'a\n'], ['home/wireguard/MAC-WS.conf', 'b\n']]))).toThrow(/home\/wireguard\/mac-ws\.conf and home\/wireguard\/MAC-WS\.conf, one file where case does not count/);
    expect(() => emitTree(out, new Map([['a/b', 'x\n'], ['A/B/c', 'y\n']]))).toThrow(/a\/b and A\/B\/c, a file and a directory of one name/);
    expect(existsSync(out)).toBe(false);
    // Directories that differ in case only merge: not refused when no file collides.
    expect(emitTree(out, new Map([['x/a', '1\n'], ['X/b', '2\n']]))).toBe(true);
  });
});
