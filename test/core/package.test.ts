// gen as a user installs it, outside this repository: the packed tarball
// has what the README links to and no compiler step; installed into an
// empty directory (as a dev dependency, globally, and run through npx,
// with nothing but the registry, preferring npm's cache), the README's
// Install commands work there.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../helpers.js';
import { codeBlocks } from './documented-commands.js';

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const work = mkdtempSync(join(tmpdir(), 'gen-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** npm's environment without what `npm test` exported for this repository (its prefix, its scripts). */
function npmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) || k.toLowerCase() === 'npm_config_cache') env[k] = v;
  return { ...env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_prefer_offline: 'true', ...extra };
}

function sh(command: string, cwd: string, env: NodeJS.ProcessEnv) {
  const r = spawnSync('sh', ['-c', command], { cwd, env, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The commands of the README's Install blocks, in order: one block per way. */
function installBlocks(): string[][] {
  const section = readme.slice(readme.indexOf('\n## Install\n'), readme.indexOf('\n### Editors\n'));
  return codeBlocks(section)
    .filter((b) => b.lang === 'sh')
    .map((b) => b.text.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean));
}

let tarball: string;
let files: string[];
beforeAll(() => {
  // npm test has built dist/; --ignore-scripts packs it as it is instead of building again.
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, env: npmEnv(), encoding: 'utf8' })) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, packed[0]!.filename);
  files = packed[0]!.files.map((f) => f.path);
});

describe('the packed tarball', () => {
  it('ships the built program, the schema, the docs and the manual, and no sources or tests', () => {
    for (const path of ['bin/gen.js', 'dist/gen.cjs', 'dist/cli.js', 'dist/schema-validator.js', 'schema/topology.schema.json', 'docs/topology.md', 'docs/safety.md', 'man/gen.1', 'README.md', 'package.json']) {
      expect(files, path).toContain(path);
    }
    expect(files.filter((f) => /^(src|test|scripts|bench|\.ci)\//.test(f) || f.endsWith('.ts'))).toEqual([]);
  });

  it('has every file the README links to', () => {
    const links = [...readme.matchAll(/\]\(([^)#:]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !l.startsWith('http'));
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect(files, link).toContain(link);
  });

  it('is a public package with two commands and no build step on install', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('gen-topology');
    expect(pkg.private).toBeUndefined();
    expect(pkg.bin).toEqual({ gen: 'bin/gen.js', 'gen-topology': 'bin/gen.js' });
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[script], script).toBeUndefined();
    expect(pkg.scripts.prepack).toBe('npm run build');
  });
});

describe('installed from the tarball into an empty directory, the README commands work', () => {
  const blocks = installBlocks();

  it('the README shows three ways: a dev dependency, a global install, npx', () => {
    expect(blocks.map((b) => b[0])).toEqual(['npm i -D gen-topology', 'npm i -g gen-topology', 'npx gen-topology init --install npx']);
  });

  it('as a dev dependency: npm i -D, then init, lint and build', () => {
    const dir = join(work, 'dev');
    mkdirSync(dir);
    const env = npmEnv();
    for (const line of blocks[0]!) {
      const r = sh(line.replace(/^npm i -D gen-topology$/, `npm i -D "${tarball}"`), dir, env);
      expect(r.code, `${line}\n${r.stdout}${r.stderr}`).toBe(0);
      // No compiler runs on install: the package ships dist/.
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/\btsc\b|> gen-topology@.* (prepare|build)/);
    }
    expect(readlinkSync(join(dir, 'node_modules/.bin/gen-topology'))).toBe('../gen-topology/bin/gen.js');
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toMatchObject({
      devDependencies: { 'gen-topology': expect.stringMatching(/^file:/) },
      scripts: { 'topology:lint': 'gen-topology lint --max-warnings 0', 'topology:build': 'gen-topology build' },
    });
    // The schema line reaches the installed schema.
    const schemaLine = readFileSync(join(dir, 'topology.yaml'), 'utf8').split('\n')[0]!;
    expect(schemaLine).toBe('# yaml-language-server: $schema=./node_modules/gen-topology/schema/topology.schema.json');
    expect(existsSync(join(dir, 'node_modules/gen-topology/schema/topology.schema.json'))).toBe(true);
    // The README's VS Code setting names the same file.
    const settings = JSON.parse(codeBlocks(readme).find((b) => b.lang === 'json' && b.text.includes('yaml.schemas'))!.text) as { 'yaml.schemas': Record<string, string[]> };
    for (const path of Object.keys(settings['yaml.schemas'])) expect(existsSync(join(dir, path)), path).toBe(true);
    expect(existsSync(join(dir, 'out/MANIFEST'))).toBe(true);
    // What `sha256sum -c MANIFEST` checks, in Node: a fresh machine may lack sha256sum.
    const listed = readFileSync(join(dir, 'out/MANIFEST'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(listed.length).toBeGreaterThan(10);
    for (const line of listed) {
      const [, hash, file] = /^([0-9a-f]{64}) {2}(.+)$/.exec(line)!;
      expect(createHash('sha256').update(readFileSync(join(dir, 'out', file!))).digest('hex'), file).toBe(hash);
    }
    // The scripts gen init wrote run too.
    expect(sh('npm run -s topology:check', dir, env)).toMatchObject({ code: 0 });
    expect(sh('npx gen-topology --version', dir, env).stdout.trim()).toBe(manifest.version);
  });

  it('globally: npm i -g, then gen init, lint and build, and the manual pages in the prefix', () => {
    const prefix = join(work, 'global');
    const dir = join(work, 'global-project');
    mkdirSync(dir);
    const env = npmEnv({ npm_config_prefix: prefix, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` });
    for (const line of blocks[1]!) {
      const r = sh(line.replace(/^npm i -g gen-topology$/, `npm i -g "${tarball}"`), dir, env);
      expect(r.code, `${line}\n${r.stdout}${r.stderr}`).toBe(0);
    }
    expect(sh('command -v gen', dir, env).stdout.trim()).toBe(join(prefix, 'bin', 'gen'));
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('gen lint topology.yaml && gen build topology.yaml');
    expect(existsSync(join(dir, 'out/MANIFEST'))).toBe(true);
    // npm links the manual pages into the prefix; that man opens them there under both names is
    // test/core/completion.test.ts's (this file needs no real tool, so a machine without them does
    // not run its three installs twice).
    for (const page of ['gen.1', 'gen-topology.1']) {
      expect(readFileSync(join(prefix, 'share/man/man1', page), 'utf8'), page).toBe(readFileSync(join(root, 'man', page), 'utf8'));
    }
  });

  it('one-off with npx: init, lint and build without installing into the project', () => {
    const dir = join(work, 'npx');
    mkdirSync(dir);
    const env = npmEnv();
    for (const line of blocks[2]!) {
      const r = sh(line.replace(/^npx gen-topology /, `npx --yes --package="${tarball}" gen-topology `), dir, env);
      expect(r.code, `${line}\n${r.stdout}${r.stderr}`).toBe(0);
    }
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('npx gen-topology lint topology.yaml && npx gen-topology build topology.yaml');
    expect(existsSync(join(dir, 'out/MANIFEST'))).toBe(true);
  });
});
