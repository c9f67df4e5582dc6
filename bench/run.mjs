// npm run bench: measures every performance target of gen on this machine in
// one run and prints each with its bound, the measured figure and whether it
// was met: start-up against a bare Node, the 10,000- and 100,000-peer
// topologies, the growth exponent between them, a one-peer rebuild, and a
// build against a plain script writing the same tree. Also times a set of
// topologies scaled in one dimension. Writes docs/performance.md (not with --quick).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { policyTopology, scaleTopology, siteTopology, toYaml, vpcTopology } from './generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin/gen.js');
const rssPreload = join(root, 'bench/rss.cjs');
const floorScript = join(root, 'bench/floor.mjs');
// Output goes to memory (tmpfs) where there is one: creating 10,000 files on
// this kind of virtual disk takes from 0.4 s to 4 s depending on its state,
// which would measure the disk, not gen. GEN_BENCH_DIR chooses another place.
const scratch = process.env.GEN_BENCH_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
const work = mkdtempSync(join(scratch, 'gen-bench-'));
const quick = process.argv.includes('--quick');
// A run that takes longer is stopped and recorded as not finished.
const timeLimit = Number(process.env.GEN_BENCH_TIMEOUT ?? 600);
// The 100,000-peer topology is about 46 MB of YAML; gen reads 16 MiB by default.
const inputLimit = 256 * 2 ** 20;
const heapLimit = getHeapStatistics().heap_size_limit / 2 ** 20;
const times = quick ? 1 : 3;
const startupRuns = quick ? 5 : 15;
// The two sizes of the scale targets: n peers, 2n rules, n/100 VLANs with one service each.
const small = quick ? 100 : 10000;
const large = quick ? 1000 : 100000;

// Variables Node reads at every start, gen's and the bare one's alike: with
// NODE_EXTRA_CA_CERTS Node parses that certificate file before running
// anything (most of a bare start where it is set). The start-up ratios are
// measured as this environment has them and again without them.
const NODE_START_VARIABLES = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'];
const startVariables = NODE_START_VARIABLES.filter((name) => process.env[name] !== undefined && process.env[name] !== '');
const plainEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !NODE_START_VARIABLES.includes(name)));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function log(line) {
  process.stdout.write(`${line}\n`);
}

/** Peak RSS (MB) of a running process so far, from /proc; 0 where there is none. */
function peakSoFar(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

let runCount = 0;

/**
 * Runs node with `args` once: wall and CPU seconds, peak RSS (MB), and why
 * it failed if it did. A run past the time limit is killed; a run that
 * does not exit normally leaves no CPU time, and its RSS is the peak seen
 * from outside until then (`partial`).
 */
function runOnce(args, cwd = work, expectedCode = 0, env = process.env) {
  return new Promise((resolve) => {
    const rssFile = join(work, `rss-${runCount++}`);
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...env, GEN_BENCH_RSS: rssFile, GEN_MAX_INPUT_BYTES: String(inputLimit) },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-65536);
    });
    let seen = 0;
    const poll = setInterval(() => {
      seen = Math.max(seen, peakSoFar(child.pid));
    }, 250);
    let timedOut = false;
    const timer = setTimeout(() => {
      seen = Math.max(seen, peakSoFar(child.pid));
      timedOut = true;
      child.kill('SIGKILL');
    }, timeLimit * 1000);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      let failure;
      if (timedOut) failure = `did not finish in ${timeLimit} s (stopped)`;
      else if (/heap out of memory/i.test(stderr)) failure = `ran out of memory after ${wall.toFixed(0)} s (V8 heap limit ${heapLimit.toFixed(0)} MB)`;
      else if (code !== expectedCode) failure = `${signal ? `killed by ${signal}` : `exit ${code}`} after ${wall.toFixed(1)} s: ${stderr.trim().split('\n')[0] ?? ''}`;
      if (existsSync(rssFile)) {
        const [maxRss, cpu] = readFileSync(rssFile, 'utf8').split(' ').map(Number);
        rmSync(rssFile);
        resolve({ wall, cpu: cpu / 1e6, rss: maxRss / 1024, failure });
      } else {
        resolve({ wall, cpu: NaN, rss: seen, partial: true, failure });
      }
    });
  });
}

/** Medians of several runs (peak RSS: the highest); the first failed run when one failed. */
function summary(runs) {
  const failed = runs.find((r) => r.failure);
  if (failed) return failed;
  return { wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)), rss: Math.max(...runs.map((r) => r.rss)) };
}

let outs = 0;
/** A build into a fresh tree (a build whose output is unchanged writes nothing, and would flatter the figure). */
function build(file, out = join(work, `out-${outs++}`)) {
  return runOnce(['--require', rssPreload, bin, 'build', file, '--out', out]);
}
function lint(file) {
  return runOnce(['--require', rssPreload, bin, 'lint', file]);
}
async function repeat(n, run) {
  const runs = [];
  for (let i = 0; i < n; i++) runs.push(await run(i));
  return summary(runs);
}
function removeOuts() {
  for (const entry of readdirSync(work)) if (entry.startsWith('out-')) rmSync(join(work, entry), { recursive: true, force: true });
}

const seconds = (m) => (m.failure ? m.failure : `${m.wall.toFixed(3)} s`);
const cpuSeconds = (m) => (Number.isNaN(m.cpu) ? '–' : `${m.cpu.toFixed(3)} s`);
const megabytes = (m) => `${m.partial ? '≥ ' : ''}${m.rss.toFixed(0)} MB`;
const count = (n) => n.toLocaleString('en-US');

/** Every file under dir: relative path → its stat and path. */
function walk(dir, prefix = '', found = new Map()) {
  for (const entry of readdirSync(join(dir, prefix)).sort()) {
    const path = prefix ? `${prefix}/${entry}` : entry;
    const stat = lstatSync(join(dir, path));
    if (stat.isDirectory()) walk(dir, path, found);
    else found.set(path, stat);
  }
  return found;
}
const hash = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

const loadBefore = loadavg();
const cpu = cpus()[0]?.model ?? 'unknown';
log(`${cpu}, ${cpus().length} cores, Node ${process.version}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}${quick ? '; quick run: small sizes' : ''}`);

// --- Start-up: the default topology against a bare Node start, interleaved run by run.
const defaultTopology = join(root, 'topology.yaml');
const defaultOut = join(work, 'default-out');
await runOnce(['--require', rssPreload, bin, 'build', defaultTopology, '--out', defaultOut], root);
const bareRuns = [];
const preloadedBareRuns = [];
const rebuildRuns = [];
const defaultLintRuns = [];
const plainRebuildRuns = [];
const plainLintRuns = [];
// The same start-up runs without the variables Node reads at start (NODE_START_VARIABLES), where any is set.
const cleanBareRuns = [];
const cleanRebuildRuns = [];
const cleanLintRuns = [];
for (let i = 0; i < startupRuns; i++) {
  bareRuns.push(await runOnce(['-e', '']));
  // What the measuring preload itself costs a start.
  preloadedBareRuns.push(await runOnce(['--require', rssPreload, '-e', '']));
  // As a user reruns it: out/ exists and is current. The ratios compare runs
  // without the preload, as the bare Node start runs; the preloaded runs
  // give the CPU times.
  plainRebuildRuns.push(await runOnce([bin, 'build', defaultTopology, '--out', defaultOut], root));
  plainLintRuns.push(await runOnce([bin, 'lint', defaultTopology], root));
  rebuildRuns.push(await runOnce(['--require', rssPreload, bin, 'build', defaultTopology, '--out', defaultOut], root));
  defaultLintRuns.push(await runOnce(['--require', rssPreload, bin, 'lint', defaultTopology], root));
  if (startVariables.length > 0) {
    cleanBareRuns.push(await runOnce(['-e', ''], work, 0, plainEnv));
    cleanRebuildRuns.push(await runOnce([bin, 'build', defaultTopology, '--out', defaultOut], root, 0, plainEnv));
    cleanLintRuns.push(await runOnce([bin, 'lint', defaultTopology], root, 0, plainEnv));
  }
}
const bare = summary(bareRuns);
const preloadedBare = summary(preloadedBareRuns);
// Wall from the runs without the preload, CPU from those with it.
const withCpu = (plain, measured) => plain.failure ? plain : measured.failure ? measured : { wall: plain.wall, cpu: measured.cpu, rss: measured.rss };
const defaultBuild = withCpu(summary(plainRebuildRuns), summary(rebuildRuns));
const defaultLint = withCpu(summary(plainLintRuns), summary(defaultLintRuns));
const defaultFresh = await repeat(startupRuns, () => build(defaultTopology));
removeOuts();
const startBuildRatio = defaultBuild.wall / bare.wall;
const startLintRatio = defaultLint.wall / bare.wall;
log(`default topology: build ${seconds(defaultBuild)} (fresh tree ${seconds(defaultFresh)}), lint ${seconds(defaultLint)}, bare node ${seconds(bare)}; ratios ${startBuildRatio.toFixed(2)} and ${startLintRatio.toFixed(2)}`);
/** The start-up figures without NODE_START_VARIABLES, or undefined where none is set. */
const clean = startVariables.length === 0 ? undefined : (() => {
  const cleanBare = summary(cleanBareRuns);
  const cleanBuild = summary(cleanRebuildRuns);
  const cleanLint = summary(cleanLintRuns);
  return { bare: cleanBare, build: cleanBuild, lint: cleanLint, buildRatio: cleanBuild.wall / cleanBare.wall, lintRatio: cleanLint.wall / cleanBare.wall };
})();
if (clean) log(`without ${startVariables.join(' and ')}: build ${seconds(clean.build)}, lint ${seconds(clean.lint)}, bare node ${seconds(clean.bare)}; ratios ${clean.buildRatio.toFixed(2)} and ${clean.lintRatio.toFixed(2)}`);

// --- Topologies scaled in one dimension (context; no targets of their own).
// Each made only to be written: none is held while gen runs (see writeScale).
const cases = quick
  ? [10, 100, 1000].map((peers) => ({ name: `${count(peers)} WireGuard peers`, topology: () => siteTopology({ peers }) }))
  : [
      ...[10, 100, 1000, 10000].map((peers) => ({ name: `${count(peers)} WireGuard peers`, topology: () => siteTopology({ peers }) })),
      ...[100, 1000].map((vlans) => ({ name: `${count(vlans)} VLANs`, topology: () => siteTopology({ vlans }) })),
      { name: '20,000 firewall rules', topology: () => siteTopology({ rules: 20000 }) },
      { name: '100 VPC subnets, 2,000 SG rules', topology: () => vpcTopology({ subnets: 100, rules: 2000 }) },
      { name: '2,000 peers, 500 services, 5,000 object rules', topology: () => policyTopology({ peers: 2000, services: 500, rules: 5000 }) },
    ];
const results = [];
for (const [i, c] of cases.entries()) {
  const file = join(work, `case-${i}.yaml`);
  writeFileSync(file, toYaml(c.topology()));
  const b = await repeat(times, () => build(file));
  removeOuts();
  const l = await repeat(times, () => lint(file));
  results.push({ name: c.name, build: b, lint: l });
  log(`${c.name.padEnd(46)} build ${seconds(b)} (CPU ${cpuSeconds(b)}) ${megabytes(b)}   lint ${seconds(l)} (CPU ${cpuSeconds(l)}) ${megabytes(l)}`);
}

// --- The scale shape at n peers.
function scaleName(n) {
  return `${count(n)} peers + ${count(2 * n)} rules + ${count(n / 100)} VLAN${n === 100 ? '' : 's'} and services`;
}
// Written by a child process (write-scale.mjs): made here, the 100,000-peer
// topology held about 1 GB of this process's memory while gen ran, and gen's
// build of it took 20.3 s instead of 11.8 s (system time 8.4 s against 2.3 s,
// the same number of page faults): on this virtual machine a page the guest
// has not used before is slow to fault in, and with this process holding
// what had been free, gen's pages were such pages.
function writeScale(n, file) {
  const child = spawnSync(process.execPath, [join(root, 'bench/write-scale.mjs'), String(n), file], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (child.status !== 0) throw new Error(`bench/write-scale.mjs ${n} did not write ${file}`);
}

// The smaller size, each build paired with the floor: a plain script writing the same tree.
const smallFile = join(work, `scale-${small}.yaml`);
writeScale(small, smallFile);
const listDir = join(work, 'floor-list');
let tree;
const smallRuns = [];
const floorRuns = [];
for (let i = 0; i < times; i++) {
  const out = join(work, `out-${outs++}`);
  const run = await build(smallFile, out);
  smallRuns.push(run);
  if (run.failure) break;
  if (!tree) {
    // The list the floor reads: every file of the tree gen wrote, with its mode.
    tree = walk(out);
    mkdirSync(listDir);
    const index = [];
    const contents = [];
    for (const [path, stat] of tree) {
      const bytes = readFileSync(join(out, path));
      index.push({ path, mode: stat.mode & 0o777, length: bytes.length });
      contents.push(bytes);
    }
    writeFileSync(join(listDir, 'index.json'), JSON.stringify(index));
    writeFileSync(join(listDir, 'contents.bin'), Buffer.concat(contents));
    tree = { files: index.length, bytes: contents.reduce((sum, b) => sum + b.length, 0), out };
  }
  const floorOut = join(work, `out-${outs++}`);
  floorRuns.push(await runOnce(['--require', rssPreload, floorScript, listDir, floorOut]));
  if (i === 0) {
    // The floor must write the same tree, or it is no floor.
    const mine = walk(tree.out);
    const its = walk(floorOut);
    const same = mine.size === its.size && [...mine].every(([path, stat]) => its.has(path) && (its.get(path).mode & 0o777) === (stat.mode & 0o777) && hash(join(tree.out, path)) === hash(join(floorOut, path)));
    if (!same) throw new Error('the floor script did not write the tree gen wrote');
  }
  rmSync(out, { recursive: true, force: true });
  rmSync(floorOut, { recursive: true, force: true });
}
const smallBuild = summary(smallRuns);
const floor = floorRuns.length ? summary(floorRuns) : undefined;
const smallLint = await repeat(times, () => lint(smallFile));
const floorRatio = floor && !smallBuild.failure ? smallBuild.wall / floor.wall : NaN;
// The same file with one unknown key: lint must place the finding (line and column), and ends with exit 1.
const typoFile = join(work, 'scale-typo.yaml');
const smallText = readFileSync(smallFile, 'utf8');
const typoText = smallText.replace(/^(\s*)description: (.*)$/m, '$1description: $2\n$1descripton: typo');
if (typoText === smallText) throw new Error('the scale topology has no description to misspell');
writeFileSync(typoFile, typoText);
const typoLint = await repeat(times, () => runOnce(['--require', rssPreload, bin, 'lint', typoFile], work, 1));
log(`  with one unknown key: lint ${seconds(typoLint)} (CPU ${cpuSeconds(typoLint)}) ${megabytes(typoLint)}`);
log(`${scaleName(small)}: build ${seconds(smallBuild)} (CPU ${cpuSeconds(smallBuild)}) ${megabytes(smallBuild)}, lint ${seconds(smallLint)} (CPU ${cpuSeconds(smallLint)}) ${megabytes(smallLint)}`);
if (tree) log(`  tree: ${count(tree.files)} files, ${(tree.bytes / 2 ** 20).toFixed(1)} MB; plain script writing it ${seconds(floor)} (CPU ${cpuSeconds(floor)}); build/floor ${floorRatio.toFixed(2)}`);

// One peer edited at the smaller size, as a user rebuilds: out/ holds the
// previous tree, one peer's key changes. Each run alternates between two
// keys; a file whose content did not change must keep its mtime.
// The two texts are made first, so that the topology is not held while gen runs (see writeScale).
const editTexts = (() => {
  const edited = scaleTopology({ peers: small, rules: 2 * small, vlans: small / 100 });
  const peer = edited.sites[0].wireguard[0].peers[5];
  const first = toYaml(edited);
  peer.public_key = Buffer.from(peer.public_key, 'base64').reverse().toString('base64');
  return [first, toYaml(edited)];
})();
const editFile = join(work, 'scale-edit.yaml');
const editOut = join(work, 'edit-out');
writeFileSync(editFile, editTexts[0]);
await build(editFile, editOut);
function snapshot() {
  return new Map([...walk(editOut)].map(([path, stat]) => [path, { mtime: stat.mtimeMs, ino: stat.ino, hash: hash(join(editOut, path)) }]));
}
const editRuns = [];
const editLintRuns = [];
const edits = [];
for (let i = 0; i < times; i++) {
  writeFileSync(editFile, editTexts[(i + 1) % 2]);
  const before = snapshot();
  const run = await build(editFile, editOut);
  editRuns.push(run);
  const after = snapshot();
  const touched = [...after].filter(([path, s]) => before.get(path)?.mtime !== s.mtime).map(([path]) => path);
  const changed = new Set([...after].filter(([path, s]) => before.get(path)?.hash !== s.hash).map(([path]) => path));
  edits.push({
    files: after.size,
    touched: touched.length,
    changed: changed.size,
    needless: touched.filter((path) => !changed.has(path)).length,
    replaced: [...after].filter(([path, s]) => before.get(path)?.ino !== s.ino).length,
  });
  editLintRuns.push(await lint(editFile));
}
const editBuild = summary(editRuns);
const editLint = summary(editLintRuns);
const editRatio = editBuild.failure || editLint.failure ? NaN : editBuild.wall / editLint.wall;
const editCpuRatio = editBuild.cpu / editLint.cpu;
const edit = edits.reduce((worst, e) => (e.needless > worst.needless || (e.needless === worst.needless && e.touched > worst.touched) ? e : worst));
rmSync(editOut, { recursive: true, force: true });
log(`one peer edited of ${count(small)}: build ${seconds(editBuild)} (CPU ${cpuSeconds(editBuild)}), lint ${seconds(editLint)} (CPU ${cpuSeconds(editLint)}), ratio ${editRatio.toFixed(2)} (CPU ${editCpuRatio.toFixed(2)}); ${edit.touched} of ${edit.files} files got a new mtime, ${edit.changed} changed content`);

// The larger size: one run of each.
const largeFile = join(work, `scale-${large}.yaml`);
writeScale(large, largeFile);
const largeOut = join(work, `out-${outs++}`);
const largeBuild = await build(largeFile, largeOut);
const largeTree = existsSync(largeOut) && !largeBuild.failure ? walk(largeOut) : undefined;
const largeTreeFiles = largeTree?.size ?? 0;
const largeTreeBytes = largeTree ? [...largeTree.values()].reduce((sum, s) => sum + s.size, 0) : 0;
rmSync(largeOut, { recursive: true, force: true });
const largeLint = await lint(largeFile);
log(`${scaleName(large)}: build ${seconds(largeBuild)} (CPU ${cpuSeconds(largeBuild)}) ${megabytes(largeBuild)}, lint ${seconds(largeLint)} (CPU ${cpuSeconds(largeLint)}) ${megabytes(largeLint)}`);
if (largeTree) log(`  tree: ${count(largeTreeFiles)} files, ${(largeTreeBytes / 2 ** 20).toFixed(1)} MB`);

// Growth exponent k in cost ∝ n^k between the two sizes. A run that did not
// finish gives a lower bound (it had not finished when it stopped).
const sizeRatio = large / small;
function growth(a, b, field) {
  if (a.failure) return { text: 'not measured (the smaller run failed)', met: false };
  const value = field === 'wall' ? b.wall : b.rss;
  if (field === 'rss' && !(value > 0)) return { text: 'not measured', met: false };
  const k = Math.log(value / a[field]) / Math.log(sizeRatio);
  const bound = b.failure || (field === 'rss' && b.partial);
  return { k, text: `${bound ? '≥ ' : ''}${k.toFixed(2)}`, met: !b.failure && k <= 1.15 };
}
const growthRows = [
  ['build time', growth(smallBuild, largeBuild, 'wall')],
  ['build peak RSS', growth(smallBuild, largeBuild, 'rss')],
  ['lint time', growth(smallLint, largeLint, 'wall')],
  ['lint peak RSS', growth(smallLint, largeLint, 'rss')],
];
const cpuGrowth = (a, b) => (a.failure || b.failure ? '–' : (Math.log(b.cpu / a.cpu) / Math.log(sizeRatio)).toFixed(2));

// --- The targets, each with its bound and what was measured.
const within = (m, bound, field = 'wall') => !m.failure && m[field] <= bound;
const megabytesTarget = (m) => (m.failure ? `${m.failure}; peak RSS ${megabytes(m)} until then` : megabytes(m));
const S = count(small);
const L = count(large);
const targets = [
  ['default topology: `gen build` against a bare `node -e \'\'`', '≤ 1.5×', `${startBuildRatio.toFixed(2)}× (${defaultBuild.wall.toFixed(3)} s / ${bare.wall.toFixed(3)} s)`, startBuildRatio <= 1.5],
  ['default topology: `gen lint` against a bare `node -e \'\'`', '≤ 1.3×', `${startLintRatio.toFixed(2)}× (${defaultLint.wall.toFixed(3)} s / ${bare.wall.toFixed(3)} s)`, startLintRatio <= 1.3],
  [`${scaleName(small)}: build time`, '≤ 1.5 s', seconds(smallBuild), within(smallBuild, 1.5)],
  [`${scaleName(small)}: build peak RSS`, '≤ 256 MB', megabytesTarget(smallBuild), within(smallBuild, 256, 'rss')],
  [`${scaleName(small)}: lint time`, '≤ 0.5 s', seconds(smallLint), within(smallLint, 0.5)],
  [`${scaleName(large)}: build time`, '≤ 15 s', seconds(largeBuild), within(largeBuild, 15)],
  [`${scaleName(large)}: build peak RSS`, '≤ 1.5 GB', megabytesTarget(largeBuild), within(largeBuild, 1536, 'rss')],
  [`${scaleName(large)}: lint time`, '≤ 5 s', seconds(largeLint), within(largeLint, 5)],
  ...growthRows.map(([what, g]) => [`growth exponent ${S} → ${L} peers: ${what}`, '≤ 1.15', g.text, g.met]),
  [`one peer edited of ${S}: rebuild against a lint of the same file`, '≤ 1.2×', Number.isNaN(editRatio) ? `${seconds(editBuild)} / ${seconds(editLint)}` : `${editRatio.toFixed(2)}× (${editBuild.wall.toFixed(3)} s / ${editLint.wall.toFixed(3)} s)`, editRatio <= 1.2],
  [`one peer edited of ${S}: files given a new mtime whose content did not change`, '0', `${edit.needless} (${edit.touched} of ${count(edit.files)} files got a new mtime, ${edit.changed} changed content)`, !editBuild.failure && edit.needless === 0],
  [`${scaleName(small)}: build against a plain script writing the same tree`, '≤ 3×', Number.isNaN(floorRatio) ? 'not measured (the build failed)' : `${floorRatio.toFixed(2)}× (${smallBuild.wall.toFixed(3)} s / ${floor.wall.toFixed(3)} s)`, floorRatio <= 3],
];

const loadAfter = loadavg();
log('');
log(`targets${quick ? ' (quick run: the sizes are reduced, the bounds are for the full sizes)' : ''}:`);
for (const [what, bound, measured, met] of targets) log(`  ${met ? 'met    ' : 'NOT met'}  ${what}: ${bound}; measured ${measured}`);
log(`met ${targets.filter((t) => t[3]).length} of ${targets.length}; load average at the end ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);

const lines = [
  '# Performance',
  '',
  '<!-- Written by `npm run bench` (bench/run.mjs); numbers are from the machine below. -->',
  '',
  `Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${type()} ${release()}, Node ${process.version} (V8 heap limit ${heapLimit.toFixed(0)} MB).`,
  `Load average (1, 5, 15 minutes) when the runs began: ${loadBefore.map((l) => l.toFixed(1)).join(', ')}; when they ended: ${loadAfter.map((l) => l.toFixed(1)).join(', ')}.`,
  'With more runnable processes than cores, wall times grow with the load.',
  `Each figure is the median of ${times} runs (start-up: ${startupRuns}, interleaved with the bare Node runs), except the ${L}-peer topology: one build and one lint.`,
  `gen runs with a preload that records its CPU time and peak RSS at exit (bench/rss.cjs); a bare start with the preload took ${seconds(preloadedBare)} against ${seconds(bare)} without. The start-up ratios compare wall times of runs without the preload on both sides (the CPU times given there are from runs with it).`,
  `RSS is the peak of the measured process. CPU is its user and system time: it hardly changes with the load, so it compares runs on a busy machine.`,
  `A run is stopped after ${timeLimit} s. Every run sets GEN_MAX_INPUT_BYTES to ${inputLimit / 2 ** 20} MiB: the ${L}-peer topology is ${(readFileSync(largeFile).length / 2 ** 20).toFixed(0)} MiB of YAML, more than the 16 MiB gen reads by default.`,
  `Topologies and output trees live in ${scratch}${scratch === '/dev/shm' ? ' (tmpfs: the virtual disk here takes 0.4 to 4 s to create 10,000 files, depending on its state)' : ''}; every build writes a fresh tree unless said otherwise.`,
  'The benchmark holds no topology in its own memory while gen runs (the scale topologies are written by a child process, bench/write-scale.mjs): where a page the guest has not used before is slow to fault in, as on a virtual machine, one it holds slows gen down (writeScale in bench/run.mjs).',
  '',
  '## Targets',
  '',
  '| target | bound | measured | met |',
  '|---|---|---|---|',
  ...targets.map(([what, bound, measured, met]) => `| ${what} | ${bound} | ${measured} | ${met ? 'yes' : '**no**'} |`),
  '',
  `Met: ${targets.filter((t) => t[3]).length} of ${targets.length}.`,
  '',
  '## The scale topologies',
  '',
  'One site: n WireGuard peers, 2n firewall rules and n/100 VLANs, each VLAN holding one service. The zone `service` holds the',
  'service network and every VLAN, the zone `apps` every service; each rule blocks one port, in turn TCP and UDP from',
  'management to `service` and from the VPN to `apps` (bench/generate.mjs, `scaleTopology`).',
  '',
  '| topology | build wall | build CPU | build peak RSS | lint wall | lint CPU | lint peak RSS |',
  '|---|---|---|---|---|---|---|',
  `| ${scaleName(small)} | ${seconds(smallBuild)} | ${cpuSeconds(smallBuild)} | ${megabytes(smallBuild)} | ${seconds(smallLint)} | ${cpuSeconds(smallLint)} | ${megabytes(smallLint)} |`,
  `| ${scaleName(large)} | ${seconds(largeBuild)} | ${cpuSeconds(largeBuild)} | ${megabytes(largeBuild)} | ${seconds(largeLint)} | ${cpuSeconds(largeLint)} | ${megabytes(largeLint)} |`,
  '',
  ...(tree ? [`The ${S}-peer build writes ${count(tree.files)} files, ${(tree.bytes / 2 ** 20).toFixed(1)} MB.`] : []),
  `With one unknown key in the ${S}-peer file, \`gen lint\` (one error, located at its line and column; exit 1) takes ${seconds(typoLint)} (CPU ${cpuSeconds(typoLint)}, peak RSS ${megabytes(typoLint)}).`,
  ...(largeTree ? [`The ${L}-peer build writes ${count(largeTreeFiles)} files, ${(largeTreeBytes / 2 ** 20).toFixed(1)} MB.`] : []),
  '',
  `Growth exponent k in cost ∝ n^k from ${S} to ${L} peers (1 is linear; ≥ marks a lower bound from a run that did not finish): build time ${growthRows[0][1].text} (CPU ${cpuGrowth(smallBuild, largeBuild)}),`,
  `build peak RSS ${growthRows[1][1].text}, lint time ${growthRows[2][1].text} (CPU ${cpuGrowth(smallLint, largeLint)}), lint peak RSS ${growthRows[3][1].text}.`,
  '',
  '## Against a plain script writing the same tree',
  '',
  ...(tree
    ? [
        `The floor is bench/floor.mjs: a Node script that reads a prepared list of the ${S}-peer tree (${count(tree.files)} paths, modes and contents) and writes`,
        `it with mkdir and writeFile; its output was checked to be the tree gen wrote. Runs alternate with the builds: build ${seconds(smallBuild)}, floor ${seconds(floor)}`,
        `(CPU ${cpuSeconds(floor)}, peak RSS ${megabytes(floor)}), ratio **${floorRatio.toFixed(2)}×**.`,
      ]
    : ['Not measured: the build failed.']),
  '',
  '## Rebuild after a one-peer edit',
  '',
  `${scaleName(small)}, out/ built, one peer's public key changed: \`gen build\` ${seconds(editBuild)} (CPU ${cpuSeconds(editBuild)}, peak RSS ${megabytes(editBuild)}),`,
  `\`gen lint\` of the same file ${seconds(editLint)} (CPU ${cpuSeconds(editLint)}), ratio **${editRatio.toFixed(2)}×** (CPU ${editCpuRatio.toFixed(2)}×).`,
  `In the run that touched the most files, ${edit.touched} of ${count(edit.files)} files got a new mtime and ${edit.changed} changed content; ${edit.needless} got a new mtime without a change; ${edit.replaced} are new inodes.`,
  '',
  '## Start-up',
  '',
  `Default topology (topology.yaml), out/ current as a user reruns it: \`gen build\` ${seconds(defaultBuild)} (CPU ${cpuSeconds(defaultBuild)}), \`gen lint\` ${seconds(defaultLint)} (CPU ${cpuSeconds(defaultLint)});`,
  `bare \`node -e ''\`: ${seconds(bare)}; ratios **${startBuildRatio.toFixed(2)}×** and **${startLintRatio.toFixed(2)}×**.`,
  `Writing a fresh tree adds the file system's cost: ${seconds(defaultFresh)} (${(defaultFresh.wall / bare.wall).toFixed(2)}×).`,
  ...(clean
    ? [
        '',
        `This environment sets ${startVariables.join(' and ')}, which Node reads at every start, gen's and the bare one's alike (NODE_EXTRA_CA_CERTS: it parses the certificate file before running anything).`,
        `The targets above are measured with ${startVariables.length === 1 ? 'it' : 'them'}. The same runs without ${startVariables.length === 1 ? 'it' : 'them'}, interleaved with those: \`gen build\` ${seconds(clean.build)}, \`gen lint\` ${seconds(clean.lint)},`,
        `bare \`node -e ''\` ${seconds(clean.bare)}; ratios ${clean.buildRatio.toFixed(2)}× and ${clean.lintRatio.toFixed(2)}×.`,
      ]
    : []),
  '',
  'gen starts from a single-file bundle (dist/gen.cjs, built by esbuild with the handlebars runtime and every',
  'template precompiled, its local names shortened) whose V8 code cache the build records, so a start compiles almost nothing.',
  "It runs under V8's default flags: a change of them makes V8 refuse every code cache recorded before it, Node's",
  "own for its built-in modules too. A topology of 32 KiB or more (or one from standard input) lowers TurboFan's",
  "inlining budget (--max-inlined-bytecode-size-cumulative) to 230 bytes of bytecode, a quarter of V8's default:",
  "deeper inlining there costs more compiling than it saves. Below 6 MiB (not from standard input) such a topology also",
  "keeps V8's young generation at two halves of 1 MB (--semi-space-growth-factor=1): nearly all a run allocates",
  "while it reads a topology survives, which grows that generation to 32 MB of pages touched for the first time,",
  "each a page fault (src/commands/v8-tuning.ts).",
  '',
  '## Topologies scaled in one dimension',
  '',
  '| topology | build wall | build CPU | build peak RSS | lint wall | lint CPU | lint peak RSS |',
  '|---|---|---|---|---|---|---|',
  ...results.map((r) => `| ${r.name} | ${seconds(r.build)} | ${cpuSeconds(r.build)} | ${megabytes(r.build)} | ${seconds(r.lint)} | ${cpuSeconds(r.lint)} | ${megabytes(r.lint)} |`),
  '',
];
if (!quick) writeFileSync(join(root, 'docs/performance.md'), lines.join('\n'));
rmSync(work, { recursive: true, force: true });
log(quick ? 'quick run: docs/performance.md not written' : 'wrote docs/performance.md');
