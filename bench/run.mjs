// npm run bench: wall time and peak RSS of `gen build` and `gen lint` on
// synthetic topologies, the start-up ratio against a bare Node, and the
// growth exponent between sizes. Writes docs/performance.md.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { policyTopology, siteTopology, toYaml, vpcTopology } from './generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin/gen.js');
const rssPreload = join(root, 'bench/rss.mjs');
// Output goes to memory (tmpfs) where there is one: creating 10,000 files on
// this kind of virtual disk takes from 0.4 s to 4 s depending on its state,
// which would measure the disk, not gen. GEN_BENCH_DIR chooses another place.
const scratch = process.env.GEN_BENCH_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
const work = mkdtempSync(join(scratch, 'gen-bench-'));
const quick = process.argv.includes('--quick');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs a command `times` times; median wall and CPU seconds and max RSS (MB). */
function measure(args, times, cwd = work) {
  const walls = [];
  const cpuTimes = [];
  let rss = 0;
  for (let i = 0; i < times; i++) {
    const rssFile = join(work, 'rss');
    const started = process.hrtime.bigint();
    // Findings of a large topology can be megabytes on stderr: room for them, so the run is not cut short.
    const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, GEN_BENCH_RSS: rssFile } });
    walls.push(Number(process.hrtime.bigint() - started) / 1e9);
    if (r.status !== 0 && args.length > 1) throw new Error(`${args.join(' ')} failed: ${r.stderr || r.stdout}`);
    try {
      const [maxRss, cpu] = readFileSync(rssFile, 'utf8').split(' ').map(Number);
      rss = Math.max(rss, maxRss / 1024);
      cpuTimes.push(cpu / 1e6);
      rmSync(rssFile);
    } catch {
      // bare node -e '' has no preload
    }
  }
  return { wall: median(walls), cpu: cpuTimes.length ? median(cpuTimes) : 0, rss };
}

let outs = 0;

/** Every build writes a fresh tree (a build whose output is unchanged writes nothing, and would flatter the figure). */
function genRun(command, file, times) {
  if (command !== 'build') return measure(['--import', rssPreload, bin, command, file], times);
  const runs = [];
  for (let i = 0; i < times; i++) runs.push(measure(['--import', rssPreload, bin, 'build', file, '--out', join(work, `out-${outs++}`)], 1));
  return { wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)), rss: Math.max(...runs.map((r) => r.rss)) };
}

const cases = [
  ...[10, 100, 1000, 10000].map((peers) => ({ group: 'peers', size: peers, name: `${peers} WireGuard peers`, topology: siteTopology({ peers }) })),
  ...[100, 1000].map((vlans) => ({ group: 'vlans', size: vlans, name: `${vlans} VLANs`, topology: siteTopology({ vlans }) })),
  { group: 'rules', size: 20000, name: '20,000 firewall rules', topology: siteTopology({ rules: 20000 }) },
  { group: 'combined', size: 10000, name: '10,000 peers + 20,000 rules', topology: siteTopology({ peers: 10000, rules: 20000 }) },
  { group: 'vpc', size: 100, name: '100 VPC subnets, 2,000 SG rules', topology: vpcTopology({ subnets: 100, rules: 2000 }) },
  { group: 'policy', size: 5000, name: '2,000 peers, 500 services, 5,000 object rules', topology: policyTopology({ peers: 2000, services: 500, rules: 5000 }) },
];

const times = quick ? 1 : 3;
// Other work on the machine stretches wall times: the load is part of what was measured.
const loadBefore = loadavg()[0];
const results = [];
for (const c of cases) {
  const file = join(work, `${c.group}-${c.size}.yaml`);
  writeFileSync(file, toYaml(c.topology));
  const build = genRun('build', file, times);
  const lint = genRun('lint', file, times);
  results.push({ ...c, build, lint });
  process.stdout.write(`${c.name.padEnd(34)} build ${build.wall.toFixed(3)} s (CPU ${build.cpu.toFixed(3)} s) ${build.rss.toFixed(0)} MB   lint ${lint.wall.toFixed(3)} s (CPU ${lint.cpu.toFixed(3)} s) ${lint.rss.toFixed(0)} MB\n`);
}

// A one-peer edit of the 10,000-peer topology, as a user rebuilds: out/ holds
// the previous tree, one peer's key changes, and only its files may be
// written. Each run alternates between the two keys.
function mtimes(dir, prefix = '', found = new Map()) {
  for (const entry of readdirSync(join(dir, prefix))) {
    const path = prefix ? `${prefix}/${entry}` : entry;
    const stat = lstatSync(join(dir, path));
    if (stat.isDirectory()) mtimes(dir, path, found);
    else found.set(path, `${stat.ino}:${stat.mtimeMs}`);
  }
  return found;
}
const edited = siteTopology({ peers: 10000 });
const editFile = join(work, 'peers-10000-edit.yaml');
const editOut = join(work, 'edit-out');
const peer = edited.sites[0].wireguard[0].peers[5];
const keys = [peer.public_key, Buffer.from(peer.public_key, 'base64').reverse().toString('base64')];
writeFileSync(editFile, toYaml(edited));
measure([bin, 'build', editFile, '--out', editOut], 1);
const editRuns = [];
let rewritten = 0;
for (let i = 0; i < times; i++) {
  peer.public_key = keys[(i + 1) % 2];
  writeFileSync(editFile, toYaml(edited));
  const before = mtimes(editOut);
  editRuns.push(measure(['--import', rssPreload, bin, 'build', editFile, '--out', editOut], 1));
  const after = mtimes(editOut);
  rewritten = Math.max(rewritten, [...after].filter(([path, stamp]) => before.get(path) !== stamp).length);
}
const editBuild = { wall: median(editRuns.map((r) => r.wall)), cpu: median(editRuns.map((r) => r.cpu)), rss: Math.max(...editRuns.map((r) => r.rss)) };
const editLint = genRun('lint', editFile, times);
const editFiles = mtimes(editOut).size;
const editRatio = editBuild.wall / editLint.wall;
const editCpuRatio = editBuild.cpu / editLint.cpu;
process.stdout.write(
  `one peer edited of 10000: build ${editBuild.wall.toFixed(3)} s (CPU ${editBuild.cpu.toFixed(3)} s), lint ${editLint.wall.toFixed(3)} s (CPU ${editLint.cpu.toFixed(3)} s), ratio ${editRatio.toFixed(2)} (CPU ${editCpuRatio.toFixed(2)}), ${rewritten} of ${editFiles} files written\n`,
);

// Start-up: the default topology against a bare Node start, same run.
const startupRuns = quick ? 5 : 15;
const bare = measure(['-e', ''], startupRuns);
// The default topology's build, as a user reruns it: out/ exists and is current.
measure(['--import', rssPreload, bin, 'build', join(root, 'topology.yaml'), '--out', join(work, 'default-out')], 1, root);
const defaultBuild = measure(['--import', rssPreload, bin, 'build', join(root, 'topology.yaml'), '--out', join(work, 'default-out')], startupRuns, root);
const defaultFresh = genRun('build', join(root, 'topology.yaml'), startupRuns);
const ratio = defaultBuild.wall / bare.wall;
process.stdout.write(`default topology build ${defaultBuild.wall.toFixed(3)} s (fresh tree ${defaultFresh.wall.toFixed(3)} s), bare node ${bare.wall.toFixed(3)} s, ratio ${ratio.toFixed(2)}\n`);

const peers = results.filter((r) => r.group === 'peers');
const exponents = peers.slice(1).map((r, i) => {
  const prev = peers[i];
  // Start-up is paid once whatever the size: without it, k shows how the work itself grows.
  const work = (t) => Math.max(t - bare.wall, 1e-3);
  return {
    from: prev.size,
    to: r.size,
    exponent: Math.log(r.build.wall / prev.build.wall) / Math.log(r.size / prev.size),
    workExponent: Math.log(work(r.build.wall) / work(prev.build.wall)) / Math.log(r.size / prev.size),
  };
});
const combined = results.find((r) => r.group === 'combined');
const targets = [
  ['default build ≤ 2× bare node start', ratio <= 2, `${ratio.toFixed(2)}×`],
  ['10,000 peers + 20,000 rules build ≤ 3 s', combined.build.wall <= 3, `${combined.build.wall.toFixed(2)} s`],
  ['10,000 peers + 20,000 rules build ≤ 512 MB', combined.build.rss <= 512, `${combined.build.rss.toFixed(0)} MB`],
  ['one peer edited of 10,000: build ≤ 1.2× lint', editRatio <= 1.2, `${editRatio.toFixed(2)}× (CPU ${editCpuRatio.toFixed(2)}×)`],
];

const cpu = cpus()[0]?.model ?? 'unknown';
const lines = [
  '# Performance',
  '',
  '<!-- Written by `npm run bench` (bench/run.mjs); numbers are from the machine below. -->',
  '',
  `Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${type()} ${release()}, Node ${process.version}.`,
  `Load average (1 minute) when the runs began and ended: ${loadBefore.toFixed(1)} and ${loadavg()[0].toFixed(1)}; with more runnable processes than cores, wall times grow with the load.`,
  `Each figure is the median of ${times} run(s) (start-up: ${startupRuns}); RSS is the peak of the gen process.`,
  `Topologies and output trees live in ${scratch}${scratch === '/dev/shm' ? ' (tmpfs: the virtual disk here takes 0.4 to 4 s to create 10,000 files, depending on its state)' : ''}; every build writes a fresh tree.`,
  '',
  'CPU is the user and system time of the gen process: it hardly changes with the load, so it compares runs on a busy machine.',
  '',
  '| topology | build wall | build CPU | build peak RSS | lint wall | lint CPU | lint peak RSS |',
  '|---|---|---|---|---|---|---|',
  ...results.map((r) => `| ${r.name} | ${r.build.wall.toFixed(3)} s | ${r.build.cpu.toFixed(3)} s | ${r.build.rss.toFixed(0)} MB | ${r.lint.wall.toFixed(3)} s | ${r.lint.cpu.toFixed(3)} s | ${r.lint.rss.toFixed(0)} MB |`),
  '',
  '## Rebuild after a one-peer edit',
  '',
  `10,000 peers, out/ built, one peer's public key changed: \`gen build\` ${editBuild.wall.toFixed(3)} s (CPU ${editBuild.cpu.toFixed(3)} s, peak RSS ${editBuild.rss.toFixed(0)} MB),`,
  `\`gen lint\` ${editLint.wall.toFixed(3)} s (CPU ${editLint.cpu.toFixed(3)} s), ratio **${editRatio.toFixed(2)}×** (CPU ${editCpuRatio.toFixed(2)}×); the build wrote ${rewritten} of ${editFiles} files (the others keep their inode and mtime).`,
  '',
  '## Start-up',
  '',
  `\`gen build\` of the default topology with out/ current: ${defaultBuild.wall.toFixed(3)} s; bare \`node -e ''\`: ${bare.wall.toFixed(3)} s; ratio **${ratio.toFixed(2)}×**.`,
  `Writing a fresh tree adds the file system's cost: ${defaultFresh.wall.toFixed(3)} s (${(defaultFresh.wall / bare.wall).toFixed(2)}×).`,
  '',
  'gen starts from a single-file bundle (dist/gen.cjs, built by esbuild with the handlebars runtime and every',
  'template precompiled) whose V8 code cache the build records, so a start compiles almost nothing.',
  '',
  '## Growth',
  '',
  'Exponent k in time ∝ n^k between peer counts (1 is linear; n log n shows as slightly above 1 at these sizes; start-up dominates small sizes):',
  '',
  '| from | to | k (wall) | k (wall less a bare Node start) |',
  '|---|---|---|---|',
  ...exponents.map((e) => `| ${e.from} | ${e.to} | ${e.exponent.toFixed(2)} | ${e.workExponent.toFixed(2)} |`),
  '',
  '## Targets',
  '',
  '| target | met | measured |',
  '|---|---|---|',
  ...targets.map(([t, ok, value]) => `| ${t} | ${ok ? 'yes' : '**no**'} | ${value} |`),
  '',
];
if (!quick) writeFileSync(join(root, 'docs/performance.md'), lines.join('\n'));
rmSync(work, { recursive: true, force: true });
process.stdout.write(quick ? 'quick run: docs/performance.md not written\n' : 'wrote docs/performance.md\n');
