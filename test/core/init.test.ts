// gen init writes a starter topology that lints clean where it lands.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { starterTopology } from '../../src/commands/init.js';
import { detectWay, schemaPath } from '../../src/commands/init-ways.js';
import { lint, modelOf, root } from '../helpers.js';
import { removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bin = join(root, 'bin/gen.js');
const gen = (args: string[], cwd: string) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });

describe('gen init', () => {
  for (const example of ['homelab', 'vlan-hosting', 'aws-vpc', 'homelab-family'] as const) {
    it(`--example ${example} writes a clean, commented topology whose schema line reaches the installed package`, async () => {
      // A project with gen installed as a dev dependency: node_modules/gen-topology is this package.
      const project = tempDir('gen-init-');
      mkdirSync(join(project, 'node_modules'));
      symlinkSync(root, join(project, 'node_modules', 'gen-topology'));
      const dir = join(project, 'infra');
      mkdirSync(dir);
      const r = gen(['init', '--example', example], dir);
      expect(r.status).toBe(0);
      const text = readFileSync(join(dir, 'topology.yaml'), 'utf8');
      const schemaLine = text.split('\n')[0]!;
      expect(schemaLine).toBe('# yaml-language-server: $schema=../node_modules/gen-topology/schema/topology.schema.json');
      const schemaPath = join(dir, schemaLine.split('$schema=')[1]!);
      expect(JSON.parse(readFileSync(schemaPath, 'utf8')).title).toBe('gen topology');
      expect(text.split('\n').filter((l) => l.trim().startsWith('#')).length).toBeGreaterThan(3);
      expect(await lint(text)).toEqual([]);
      // A starter with a firewall targets the current OPNsense release.
      if (example !== 'aws-vpc') expect(text).toMatch(/^ {6}release: "26\.7"$/m);
    });
  }

  it('the schema\'s default release is the one a firewall without release gets', async () => {
    const schema = JSON.parse(readFileSync(join(root, 'schema/topology.schema.json'), 'utf8'));
    expect(schema.$defs.firewall.properties.release.default).toBe('26.7');
    const model = await modelOf(readFileSync(join(root, 'topology.yaml'), 'utf8').replace(/ *release: "26\.7"\n/, ''));
    expect(model.sites[0]!.firewall!.release).toBe('26.7');
  });

  it('refuses to overwrite without --force', () => {
    const dir = tempDir('gen-init-');
    writeFileSync(join(dir, 'topology.yaml'), 'mine\n');
    const r = gen(['init'], dir);
    expect([r.status, r.stderr]).toEqual([2, 'gen: refusing to write topology.yaml: it exists; use --force to replace it\n']);
    expect(readFileSync(join(dir, 'topology.yaml'), 'utf8')).toBe('mine\n');
    expect(gen(['init', '--force', '--example', 'aws-vpc'], dir).status).toBe(0);
    expect(readFileSync(join(dir, 'topology.yaml'), 'utf8')).toContain('name: aws-vpc');
  });

  it('points the schema line relative to the file it writes', () => {
    expect(starterTopology('aws-vpc', join(root, 'topology.yaml')).split('\n')[0]).toBe('# yaml-language-server: $schema=./schema/topology.schema.json');
    expect(starterTopology('aws-vpc', join(root, 'examples/x.yaml')).split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/topology.schema.json');
    // Elsewhere: the stable path into node_modules of the project (the nearest package.json), wherever gen runs from.
    const project = tempDir('gen-init-');
    writeFileSync(join(project, 'package.json'), '{}\n');
    mkdirSync(join(project, 'a', 'b'), { recursive: true });
    expect(schemaPath(join(project, 'a', 'b', 'topology.yaml'))).toBe('../../node_modules/gen-topology/schema/topology.schema.json');
    expect(schemaPath(join(project, 'topology.yaml'))).toBe('./node_modules/gen-topology/schema/topology.schema.json');
  });

  it('knows how it was started: from a project\'s node_modules, npx\'s cache, or elsewhere', () => {
    expect(detectWay('/home/ann/infra', '/home/ann/infra/node_modules/gen-topology')).toBe('dev');
    expect(detectWay('/home/ann/infra/sites', '/home/ann/infra/node_modules/gen-topology')).toBe('dev');
    expect(detectWay('/home/ann/other', '/home/ann/infra/node_modules/gen-topology')).toBe('global');
    expect(detectWay('/home/ann/infra', '/usr/lib/node_modules/gen-topology')).toBe('global');
    expect(detectWay('/home/ann/infra', '/home/ann/.npm/_npx/0123abcd/node_modules/gen-topology')).toBe('npx');
  });

  it('--install dev adds the scripts (and the dev dependency) to package.json, keeping what is there', () => {
    const dir = tempDir('gen-init-');
    const mine = '{\n    "name": "infra",\n    "scripts": {\n        "test": "true",\n        "topology:lint": "mine"\n    }\n}\n';
    writeFileSync(join(dir, 'package.json'), mine);
    const r = gen(['init', '--install', 'dev'], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`gen: wrote topology.yaml (homelab), .gitignore, package.json (topology:build, topology:check, topology:diff, devDependencies.gen-topology); next: npm install, then npm run topology:lint\n`);
    const written = readFileSync(join(dir, 'package.json'), 'utf8');
    expect(written).toMatch(/^\{\n {4}"name": "infra",\n/);
    expect(JSON.parse(written)).toEqual({
      name: 'infra',
      scripts: { test: 'true', 'topology:lint': 'mine', 'topology:build': 'gen-topology build', 'topology:check': 'gen-topology build --check', 'topology:diff': 'gen-topology diff' },
      devDependencies: { 'gen-topology': `^${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}` },
    });
    // Again: nothing to add.
    expect(gen(['init', '--install', 'dev', '--force', 'topology.yaml'], dir).status).toBe(0);
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(written);
  });

  it('--install dev without a package.json writes one; a topology in a subdirectory is named in the scripts', () => {
    const dir = tempDir('gen-init-');
    mkdirSync(join(dir, 'infra'));
    writeFileSync(join(dir, 'package.json'), '{"private": true}');
    expect(gen(['init', '-f', 'infra/net.yaml', '--install', 'dev'], dir).status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts['topology:lint']).toBe('gen-topology lint infra/net.yaml --max-warnings 0');
    const empty = tempDir('gen-init-');
    expect(gen(['init', '--install', 'dev'], empty).status).toBe(0);
    expect(JSON.parse(readFileSync(join(empty, 'package.json'), 'utf8'))).toMatchObject({ private: true, scripts: { 'topology:lint': 'gen-topology lint --max-warnings 0' }, devDependencies: { 'gen-topology': expect.any(String) } });
  });

  it('a topology name with spaces and $ is one word in the scripts, the README commands and the next step (sh runs each as written)', () => {
    const name = "my net $HOME 'x'.yaml";
    const bin_ = tempDir('gen-init-bin-');
    for (const command of ['gen', 'gen-topology']) symlinkSync(bin, join(bin_, command));
    const env = { ...process.env, PATH: `${bin_}:${process.env.PATH}`, NO_COLOR: '1' };
    const sh = (script: string, cwd: string) => spawnSync('sh', ['-c', script], { cwd, env, encoding: 'utf8' });
    const dev = tempDir('gen-init-');
    expect(gen(['init', '-f', name, '--install', 'dev'], dev).status).toBe(0);
    const lintScript = JSON.parse(readFileSync(join(dev, 'package.json'), 'utf8')).scripts['topology:lint'] as string;
    expect(sh(lintScript, dev)).toMatchObject({ status: 0, stdout: `${name}: no problems\n` });
    const global = tempDir('gen-init-');
    const r = gen(['init', '-f', name, '--install', 'global'], global);
    expect(r.status).toBe(0);
    const next = /; next: (.*)\n$/.exec(r.stderr)![1]!;
    const section = /```sh\n(.*)\n```/.exec(readFileSync(join(global, 'README.md'), 'utf8'))![1]!;
    expect(section).toBe(next);
    const run = sh(next, global);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${name}: no problems\n`);
    expect(readdirSync(join(global, 'out')).length).toBeGreaterThan(0);
  });

  it('refuses a package.json it cannot read, before writing anything', () => {
    const dir = tempDir('gen-init-');
    writeFileSync(join(dir, 'package.json'), '{ broken');
    const r = gen(['init', '--install', 'dev'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^gen: cannot add gen's scripts to package\.json: .*; fix it, or choose --install global or npx\n$/);
    expect(readdirSync(dir)).toEqual(['package.json']);
  });

  for (const [way, commands] of [
    ['global', 'gen lint topology.yaml && gen build topology.yaml'],
    ['npx', 'npx gen-topology lint topology.yaml && npx gen-topology build topology.yaml'],
  ] as const) {
    it(`--install ${way} adds a README section with the commands, once`, () => {
      const dir = tempDir('gen-init-');
      writeFileSync(join(dir, 'README.md'), '# infra\n');
      expect(gen(['init', '--install', way], dir).status).toBe(0);
      const readme = readFileSync(join(dir, 'README.md'), 'utf8');
      expect(readme).toMatch(new RegExp(`^# infra\\n\\n## Infrastructure\\n[\\s\\S]*\`\`\`sh\\n${commands.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n\`\`\`\\n$`));
      expect(gen(['init', '--install', way, '--force'], dir).status).toBe(0);
      expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe(readme);
      expect(existsSync(join(dir, 'package.json'))).toBe(false);
    });
  }

  it('takes the file as [file], -f or -o (two different ones are a usage error); - prints it', () => {
    const dir = tempDir('gen-init-');
    expect(gen(['init', 'a.yaml', '--install', 'global'], dir).status).toBe(0);
    expect(gen(['init', '-f', 'b.yaml', '--install', 'global'], dir).status).toBe(0);
    expect(gen(['init', '-o', 'c.yaml', '--install', 'global'], dir).status).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()).toEqual(['a.yaml', 'b.yaml', 'c.yaml']);
    expect(gen(['init', 'd.yaml', '-o', 'e.yaml'], dir)).toMatchObject({ status: 2, stderr: 'gen: several files to write given (d.yaml, e.yaml): name one\n' });
    const printed = gen(['init', '-', '--example', 'aws-vpc'], dir);
    expect(printed.status).toBe(0);
    expect(printed.stdout).toContain('name: aws-vpc');
  });
});
