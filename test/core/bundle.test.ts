// The single-file bundle (fast start) behaves exactly like the modules.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaleTopology, toYaml } from '../../bench/generate.mjs';
import { CAPPED_HEAP_GROWTH_FROM, HEAP_GROWTH_FLAG, INLINING_BUDGET_FLAG, LARGE_TOPOLOGY_FROM, SMALL_YOUNG_GENERATION_BELOW, YOUNG_GENERATION_DEFAULT_FLAG, YOUNG_GENERATION_FLAG, v8FlagsFor, v8FlagsForBase } from '../../src/commands/v8-tuning.js';
import { root, readTree as tree } from '../helpers.js';
import { fileOfSize, removeTempDirsAfterAll, tempDir } from '../temp-dirs.js';

removeTempDirsAfterAll();

const bundle = join(root, 'dist/gen.cjs');

/** A preload that wraps node:v8's setFlagsFromString, to see what gen sets: each call a line `v8 flags: ...` on stderr. */
const FLAGS_SPY = `const v8 = require('node:v8'); const set = v8.setFlagsFromString; v8.setFlagsFromString = (flags) => { require('node:fs').writeSync(2, '\\nv8 flags: ' + flags + '\\n'); set(flags); };\n`;

describe.skipIf(!existsSync(bundle))('bundle', () => {
  it('V8 accepts its code cache on this Node', () => {
    // In a process of its own, as gen starts: V8 refuses a cache whose flags
    // differ, and a worker that ran other test files may have changed one.
    const probe = `const { loadBundle } = require(${JSON.stringify(join(root, 'bin/bundle-loader.js'))}); process.stdout.write(String(loadBundle(${JSON.stringify(bundle)}).script.cachedDataRejected));`;
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('false');
  });

  it('runs a small topology under V8\'s default flags, and a large one with a quarter of TurboFan\'s inlining budget and a small young generation', () => {
    // A change of V8's flags makes V8 refuse every code cache recorded
    // before it, Node's own for its built-in modules too: set at start, it
    // had node:crypto and the streams of stdout and stderr compiled from
    // their source in every run. A preload wraps node:v8's setFlagsFromString
    // to see what gen sets.
    const dir = tempDir('gen-v8-flags-');
    const spy = join(dir, 'spy.cjs');
    writeFileSync(spy, FLAGS_SPY);
    const run = (args: string[]) => {
      const r = spawnSync(process.execPath, ['-r', spy, join(root, 'bin/gen.js'), ...args], { cwd: root, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stderr;
    };
    const small = join(root, 'topology.yaml');
    expect(statSync(small).size).toBeLessThan(LARGE_TOPOLOGY_FROM);
    for (const args of [['lint'], ['build', '--out', join(dir, 'out')], ['build', '--out', join(dir, 'out')]]) expect(run(args), args.join(' ')).not.toContain('v8 flags:');
    // Nor does it load node:v8 to leave them.
    const loaded = join(dir, 'loaded.cjs');
    writeFileSync(loaded, `process.on('exit', () => require('node:fs').writeSync(2, '\\nv8: ' + process.moduleLoadList.includes('NativeModule v8') + '\\n'));\n`);
    const lint = spawnSync(process.execPath, ['-r', loaded, join(root, 'bin/gen.js'), 'lint'], { cwd: root, encoding: 'utf8' });
    expect(lint.status, lint.stderr).toBe(0);
    expect(lint.stderr).toContain('\nv8: false\n');
    const large = join(dir, 'large.yaml');
    writeFileSync(large, toYaml(scaleTopology({ peers: 100, rules: 200, vlans: 1 })));
    expect(statSync(large).size).toBeGreaterThanOrEqual(LARGE_TOPOLOGY_FROM);
    for (const args of [['lint', large], ['build', large, '--out', join(dir, 'large-out')]]) expect(run(args), args.join(' ')).toContain(`\nv8 flags: ${INLINING_BUDGET_FLAG} ${YOUNG_GENERATION_FLAG}\n`);
    // The code cache is recorded under V8's defaults: set before the bundle loads, the flag makes V8 refuse it.
    const flagged = join(dir, 'flagged.cjs');
    writeFileSync(flagged, `require('node:v8').setFlagsFromString(${JSON.stringify(INLINING_BUDGET_FLAG)});\n`);
    for (const command of ['lint', 'build']) {
      const probe = `const { loadBundle } = require(${JSON.stringify(join(root, 'bin/bundle-loader.js'))}); process.stdout.write(String(loadBundle(${JSON.stringify(bundle)}, ${JSON.stringify(command)}).script.cachedDataRejected));`;
      const r = spawnSync(process.execPath, ['-r', flagged, '-e', probe], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout, command).toBe('true');
    }
  });

  it('holds the young generation small for a large topology below 6 MiB, not for a larger one, standard input or after a larger diff base', () => {
    const dir = tempDir('gen-v8-young-');
    const at = (name: string, size: number) => fileOfSize(dir, name, size);
    expect(v8FlagsFor(at('small.yaml', LARGE_TOPOLOGY_FROM - 1))).toEqual([]);
    expect(v8FlagsFor(join(dir, 'missing.yaml'))).toEqual([]);
    expect(v8FlagsFor(at('large.yaml', LARGE_TOPOLOGY_FROM))).toEqual([INLINING_BUDGET_FLAG, YOUNG_GENERATION_FLAG]);
    expect(v8FlagsFor(at('below.yaml', SMALL_YOUNG_GENERATION_BELOW - 1))).toEqual([INLINING_BUDGET_FLAG, YOUNG_GENERATION_FLAG]);
    expect(v8FlagsFor(at('larger.yaml', SMALL_YOUNG_GENERATION_BELOW))).toEqual([INLINING_BUDGET_FLAG]);
    expect(v8FlagsFor('-')).toEqual([INLINING_BUDGET_FLAG]);
    // A diff's base by its UTF-8 bytes, as a file's size counts them: 'é' is two.
    const base = (bytes: number) => 'é'.repeat(bytes / 2);
    expect(v8FlagsForBase(base(SMALL_YOUNG_GENERATION_BELOW), true)).toEqual([YOUNG_GENERATION_DEFAULT_FLAG]);
    expect(v8FlagsForBase(base(SMALL_YOUNG_GENERATION_BELOW - 2), true)).toEqual([]);
    expect(v8FlagsForBase(base(SMALL_YOUNG_GENERATION_BELOW), false)).toEqual([]);
    expect(v8FlagsForBase(base(CAPPED_HEAP_GROWTH_FROM), false)).toEqual([HEAP_GROWTH_FLAG]);
    expect(v8FlagsForBase(base(CAPPED_HEAP_GROWTH_FROM - 2), true)).toEqual([YOUNG_GENERATION_DEFAULT_FLAG]);
    // V8 reads the growth factor when it would grow the young generation, so the flag set after start
    // holds it: a lint of 1,000 peers (460 KB) ends with two halves of 1 MB. The same text from standard
    // input, under V8's growth, ends with more.
    const topology = join(dir, 'peers.yaml');
    writeFileSync(topology, toYaml(scaleTopology({ peers: 1000, rules: 2000, vlans: 10 })));
    const report = join(dir, 'young.cjs');
    writeFileSync(report, `process.on('exit', () => require('node:fs').writeSync(2, '\\nyoung: ' + require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size + '\\n'));\n`);
    const young = (args: string[], input?: string) => {
      const r = spawnSync(process.execPath, ['-r', report, join(root, 'bin/gen.js'), ...args], { cwd: dir, encoding: 'utf8', input });
      expect(r.status, r.stderr).toBe(0);
      return Number(/\nyoung: (\d+)\n/.exec(r.stderr)?.[1]);
    };
    expect(young(['lint', topology])).toBe(2 * 1024 * 1024);
    expect(young(['build', topology, '--out', join(dir, 'out'), '-q'])).toBe(2 * 1024 * 1024);
    expect(young(['lint', '-'], readFileSync(topology, 'utf8'))).toBeGreaterThan(2 * 1024 * 1024);
    // gen diff of that file against a base of 6 MiB or more (read from a directory) gives the young
    // generation V8's growth back once it has read the base; against a small base it stays held.
    const big = join(dir, 'big');
    const small = join(dir, 'small');
    mkdirSync(big);
    mkdirSync(small);
    writeFileSync(join(big, 'peers.yaml'), toYaml(scaleTopology({ peers: 13500, rules: 27000, vlans: 135 })));
    expect(statSync(join(big, 'peers.yaml')).size).toBeGreaterThanOrEqual(SMALL_YOUNG_GENERATION_BELOW);
    writeFileSync(join(small, 'peers.yaml'), toYaml(scaleTopology({ peers: 900, rules: 1800, vlans: 9 })));
    const spy = join(dir, 'spy.cjs');
    writeFileSync(spy, FLAGS_SPY);
    const diff = (base: string) => {
      const r = spawnSync(process.execPath, ['-r', spy, '-r', report, join(root, 'bin/gen.js'), 'diff', 'peers.yaml', '--base', base, '--no-patch'], {
        cwd: dir,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(r.status, r.stderr).toBe(0);
      return { flags: [...r.stderr.matchAll(/\nv8 flags: (.*)\n/g)].map((m) => m[1]), young: Number(/\nyoung: (\d+)\n/.exec(r.stderr)?.[1]) };
    };
    const held = `${INLINING_BUDGET_FLAG} ${YOUNG_GENERATION_FLAG}`;
    const againstBig = diff(big);
    expect(againstBig.flags).toEqual([held, YOUNG_GENERATION_DEFAULT_FLAG]);
    expect(againstBig.young).toBeGreaterThan(2 * 1024 * 1024);
    expect(diff(small)).toEqual({ flags: [held], young: 2 * 1024 * 1024 });
  });

  it('starts without Node\'s ES module loader and with no UTF-8 decoding of the bundle', () => {
    // gen.js and bundle-loader.js are CommonJS and the bundle needs no
    // import(): loading the ES module loader (for an ES module entry, or by
    // node:module's createRequire) cost a tenth of a short run.
    const dir = tempDir('gen-start-');
    const preload = join(dir, 'report.cjs');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeSync(2, '\\nloaded: ' + JSON.stringify(process.moduleLoadList.filter((m) => m.includes('esm/loader'))) + '\\n'));\n`);
    for (const args of [['lint'], ['--version']]) {
      const r = spawnSync(process.execPath, ['-r', preload, join(root, 'bin/gen.js'), ...args], { cwd: root, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain('\nloaded: []\n');
    }
    // The loader reads it as latin1, which is the same string only for ASCII.
    expect(readFileSync(bundle).every((byte) => byte < 0x80)).toBe(true);
  });

  it('is compiled from the text of its file as read, with no wrapper added at start', () => {
    // The wrapper added to a text read would be a second copy of the bundle, flattened
    // into a third when V8 compiles it: a child records what vm.Script is given.
    const probe = [
      `const vm = require('node:vm'); const Script = vm.Script; let given;`,
      `vm.Script = class extends Script { constructor(source, options) { super(source, options); given = source; } };`,
      `const { loadBundle } = require(${JSON.stringify(join(root, 'bin/bundle-loader.js'))});`,
      `loadBundle(${JSON.stringify(bundle)}, 'lint');`,
      `process.stdout.write(String(given === require('node:fs').readFileSync(${JSON.stringify(bundle)}, 'latin1')));`,
    ].join('\n');
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('true');
  });

  it('loads node:child_process only for a command that runs another program', () => {
    // Loading it (with node:net) was a good part of a short run's start; commander
    // required it for subcommands gen does not have, and three of gen's modules
    // that every run loads required it at the top.
    const dir = tempDir('gen-start-');
    const preload = join(dir, 'report.cjs');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeSync(2, '\\nchild_process: ' + process.moduleLoadList.includes('NativeModule child_process') + '\\n'));\n`);
    const run = (args: string[], cwd = root) => {
      const r = spawnSync(process.execPath, ['-r', preload, join(root, 'bin/gen.js'), ...args], { cwd, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return /\nchild_process: (true|false)\n/.exec(r.stderr)?.[1];
    };
    for (const args of [['lint'], ['build', '--out', join(dir, 'out')], ['--version'], ['graph'], ['rules']]) expect(run(args), args.join(' ')).toBe('false');
    // gen diff against a git revision runs git: there it is loaded, and it works.
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    copyFileSync(join(root, 'topology.yaml'), join(repo, 'topology.yaml'));
    const git = (...args: string[]) => expect(spawnSync('git', ['-c', 'user.name=gen', '-c', 'user.email=gen@example.com', ...args], { cwd: repo }).status).toBe(0);
    git('init', '-q');
    git('add', 'topology.yaml');
    git('commit', '-q', '-m', 'base');
    expect(run(['diff', '--base', 'HEAD'], repo)).toBe('true');
  });

  it('its js-yaml makes a table of keys only for a mapping, not for every node it reads', () => {
    // js-yaml made one on entering readFlowCollection and readBlockMapping,
    // which composeNode tries for every node: 373,000 dead objects on the
    // 10,000-peer topology. The bundle's js-yaml is patched (scripts/bundle.mjs).
    const dir = tempDir('gen-yaml-tables-');
    const preload = join(dir, 'count.cjs');
    writeFileSync(
      preload,
      `const create = Object.create; let tables = 0;\nObject.create = function (proto, properties) { if (proto === null) tables++; return properties === undefined ? create(proto) : create(proto, properties); };\nprocess.on('exit', () => require('node:fs').writeSync(2, '\\ntables: ' + tables + '\\n'));\n`,
    );
    const tables = (items: number, flow: boolean) => {
      const file = join(dir, `list-${items}-${flow}.yaml`);
      const list = Array.from({ length: items }, (_, i) => `item${i}`);
      writeFileSync(file, `version: 1\nname: t\nnotes:${flow ? ` [${list.join(', ')}]` : list.map((item) => `\n  - ${item}`).join('')}\n`);
      const r = spawnSync(process.execPath, ['-r', preload, join(root, 'bin/gen.js'), 'lint', file], { encoding: 'utf8' });
      // The list is read, then refused by the schema (gen has no key "notes").
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toContain('unknown property "notes"');
      return Number(/\ntables: (\d+)\n/.exec(r.stderr)![1]);
    };
    // Unpatched, each of 2,000 more items made two tables (one per reading of the file).
    expect(tables(2010, false)).toBe(tables(10, false));
    expect(tables(2010, true)).toBe(tables(10, true));
  });

  it('sets up the yaml library only for a topology js-yaml does not read', () => {
    // The yaml library parses only what js-yaml cannot place (src/load.ts
    // readFast); imported statically, its seventy-odd modules were set up at
    // every lint's start. Its first module asks Symbol.for('yaml.alias'),
    // which a preload counts.
    const dir = tempDir('gen-yaml-library-');
    const preload = join(dir, 'count.cjs');
    writeFileSync(
      preload,
      `const symbolFor = Symbol.for; let asked = 0;\nSymbol.for = (key) => { if (String(key).startsWith('yaml.')) asked++; return symbolFor(key); };\nprocess.on('exit', () => require('node:fs').writeSync(2, '\\nyaml symbols: ' + asked + '\\n'));\n`,
    );
    const symbols = (file: string) => {
      const r = spawnSync(process.execPath, ['-r', preload, join(root, 'bin/gen.js'), 'lint', file], { cwd: root, encoding: 'utf8' });
      return [r.status, r.stdout.split('\n')[0], Number(/\nyaml symbols: (\d+)\n/.exec(r.stderr)![1])];
    };
    expect(symbols('topology.yaml')).toEqual([0, 'topology.yaml: no problems', 0]);
    // An alias is the yaml library's to read: loaded then, it places the findings.
    const aliased = join(dir, 'aliased.yaml');
    writeFileSync(aliased, 'version: 1\nname: t\nx: &a 1\ny: *a\n');
    const [status, first, asked] = symbols(aliased);
    expect([status, first]).toEqual([1, `${aliased}:3:1: error the topology: unknown property "x"  [schema]`]);
    expect(asked).toBeGreaterThan(0);
  });

  it('reads duplicate keys, flow mappings and explicit keys as the modules do', () => {
    // The patched js-yaml makes its table of keys later; what it finds in it is the same.
    const dir = tempDir('gen-yaml-keys-');
    const cases = [
      'version: 1\nname: t\nname: u\n',
      'version: 1\nname: t\nsites: [{ name: a, name: b }]\n',
      'version: 1\nname: t\nsites:\n  - { name: a }\n  - name: b\n    name: c\n',
      'version: 1\n? name\n: t\n? name\n: u\n',
      'version: 1\nname: t\nsites: [{ name: a }, { name: b, firewall: { name: f, name: g } }]\n',
    ];
    cases.forEach((text, i) => {
      const file = join(dir, `case-${i}.yaml`);
      writeFileSync(file, text);
      const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'lint', '--format', 'json', file], { encoding: 'utf8', env: { ...process.env, ...env } });
      const bundled = run({});
      const modules = run({ GEN_NO_BUNDLE: '1' });
      expect(bundled.status, text).toBe(1);
      expect(bundled.stdout, text).toContain('duplicate-key');
      expect([bundled.status, bundled.stdout, bundled.stderr], text).toEqual([modules.status, modules.stdout, modules.stderr]);
    });
  });

  it('builds the same files as the compiled modules', () => {
    const dir = tempDir('gen-bundle-');
    const run = (out: string, env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [join(root, 'bin/gen.js'), 'build', '--out', join(dir, out)], { cwd: root, env: { ...process.env, ...env } });
    expect(run('bundled', {}).status).toBe(0);
    expect(run('modules', { GEN_NO_BUNDLE: '1' }).status).toBe(0);
    expect(tree(join(dir, 'bundled'))).toEqual(tree(join(dir, 'modules')));
  });
});

describe('the bundle loader', () => {
  it('runs a bundle written inside the wrapper, and one of an earlier build written without it', () => {
    const dir = tempDir('gen-loader-');
    const body = `module.exports.answer = 6 * 7; module.exports.file = __filename;`;
    const loader = join(root, 'bin/bundle-loader.js');
    const { WRAPPER_HEAD, WRAPPER_TAIL } = JSON.parse(
      spawnSync(process.execPath, ['-e', `const l = require(${JSON.stringify(loader)}); process.stdout.write(JSON.stringify(l));`], { encoding: 'utf8' }).stdout,
    ) as { WRAPPER_HEAD: string; WRAPPER_TAIL: string };
    expect(WRAPPER_HEAD.startsWith('(function (exports, require, module, __filename, __dirname) {')).toBe(true);
    for (const [name, text] of [
      ['wrapped.cjs', `${WRAPPER_HEAD}${body}${WRAPPER_TAIL}`],
      ['plain.cjs', body],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const r = spawnSync(process.execPath, ['-e', `const e = require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(file)}, 'lint').exports; process.stdout.write(JSON.stringify(e));`], { encoding: 'utf8' });
      expect(r.stderr, name).toBe('');
      expect(JSON.parse(r.stdout), name).toEqual({ answer: 42, file });
    }
  });
});
