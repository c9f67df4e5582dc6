// Same bytes for the same topology: across runs, reordered YAML mappings,
// and machines (no absolute paths, no host names, no times in the output).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { EXAMPLES, readExample, readTree, render, root } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

/** The same data with every mapping's keys in reverse order (lists keep their order). */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)]));
  return value;
}

/** A machine's identity that no file can hold by chance: a file that holds any of it got it from the machine. */
const PROBE = { host: 'gen-probe-host-5c1e', user: 'gen-probe-user-5c1e', home: '/gen-probe-home-5c1e', tmp: '/gen-probe-tmp-5c1e' };

/**
 * Renders on a machine whose host name, user, home and temporary
 * directory are PROBE's (node:os as gen's modules see it, and the
 * environment). The machine's own names are no test: a host named
 * proxmox or localhost is a word the files hold on every machine.
 */
async function renderOnProbeMachine(text: string): Promise<Map<string, string>> {
  const os = createRequire(import.meta.url)('node:os') as typeof import('node:os');
  const saved = { hostname: os.hostname, userInfo: os.userInfo, homedir: os.homedir, tmpdir: os.tmpdir };
  const names = ['HOME', 'TMPDIR', 'USER', 'LOGNAME', 'HOSTNAME'] as const;
  const env = names.map((key) => [key, process.env[key]] as const);
  os.hostname = () => PROBE.host;
  os.homedir = () => PROBE.home;
  os.tmpdir = () => PROBE.tmp;
  os.userInfo = ((options?: { encoding: BufferEncoding }) => Object.assign(saved.userInfo(options), { username: PROBE.user, homedir: PROBE.home })) as typeof os.userInfo;
  Object.assign(process.env, { HOME: PROBE.home, TMPDIR: PROBE.tmp, USER: PROBE.user, LOGNAME: PROBE.user, HOSTNAME: PROBE.host });
  syncBuiltinESMExports();
  try {
    return await render(text);
  } finally {
    Object.assign(os, saved);
    for (const [key, value] of env) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    syncBuiltinESMExports();
  }
}

describe.each(Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[])('%s', (name) => {
  it('renders the same bytes when every mapping is reordered', async () => {
    const text = readExample(name);
    const shuffled = stringify(reversed(parse(text)));
    expect(shuffled).not.toBe(text);
    const a = await render(text);
    const b = await render(shuffled);
    expect([...b.keys()]).toEqual([...a.keys()]);
    // Verification scripts cite the line that declares each check, which moves with the text.
    const lines = (path: string, content: string) => (path.includes('/verify/') ? content.replace(/topology\.yaml:\d+/g, 'topology.yaml:N') : content);
    for (const [path, content] of a) expect(lines(path, b.get(path)!), path).toBe(lines(path, content));
  });

  it('has no machine-specific text in any file', async () => {
    const files = await renderOnProbeMachine(readExample(name));
    // The probes, and the places of this machine that a module could have read before them.
    const forbidden = [...Object.values(PROBE), root, tmpdir(), userInfo().homedir].filter((s) => s.length > 3);
    for (const [path, raw] of files) {
      // The firewall's own compiled ruleset is at /tmp/rules.debug on every OPNsense box, and an XML element
      // named like a directory (HAProxy's <root>) is no path: tags do not count.
      const content = (path.endsWith('.xml') ? raw.replace(/<\/?[A-Za-z_][\w.-]*\/?>/g, '') : raw).replaceAll('/tmp/rules.debug', '');
      for (const word of forbidden) expect(content.includes(word), `${path} contains ${word}`).toBe(false);
      expect(content, path).not.toMatch(/20[2-9]\d-\d\d-\d\dT\d\d:\d\d/);
    }
  });
});

describe("the topology file's name", () => {
  it('is no part of the output: a path, standard input and odd file names give the same bytes, and none stops the build', () => {
    const dir = tempDir('gen-names-');
    const text = readExample('homelab');
    const gen = (args: string[], input?: string) => spawnSync(process.execPath, [join(root, 'bin/gen.js'), ...args], { cwd: dir, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const names = ['topology.yaml', 'prod.yaml', 'back\\slash.yaml', 'new\nline.yaml', "my top'ology $(id).yaml", 'ünï 目录.yaml'];
    const trees = names.map((name, i) => {
      writeFileSync(join(dir, name), text);
      const r = gen(['build', '-q', '-o', `out${i}`, name]);
      expect([r.status, r.stderr], JSON.stringify(name)).toEqual([0, '']);
      return readTree(join(dir, `out${i}`));
    });
    const piped = gen(['build', '-q', '-o', 'stdin', '-'], text);
    expect([piped.status, piped.stderr]).toEqual([0, '']);
    trees.push(readTree(join(dir, 'stdin')));
    for (const tree of trees.slice(1)) expect(tree).toEqual(trees[0]);
    // The scripts still cite the file's lines, under the name gen gives every topology.
    const script = trees[0]!.get('home/verify/firewall-opnsense.sh')!;
    expect(script).toContain('# firewall opnsense (site home): does the live box match topology.yaml?');
    expect(script).toContain(`'topology.yaml:${text.split('\n').findIndex((line) => line.includes('- name: wg0')) + 1}'`);
    expect(readTree(join(root, 'out'))).toEqual(trees[0]);
  });
});
