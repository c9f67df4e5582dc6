// V8's flags for a run that reads a large topology (gen lint, gen build,
// gen diff): TurboFan's inlining budget, how far the young generation grows,
// and, for a command that renders while it holds the model, how far the heap
// grows between full collections. Set in one place, once per command (and
// once more for gen diff's base), after gen's code was loaded.
import { topologyOfAtLeast } from './topology-size.js';

/**
 * V8 inlines up to 920 bytes of bytecode into one optimized function
 * (--max-inlined-bytecode-size-cumulative). On a large topology a quarter
 * of that costs TurboFan less compiling than the deeper inlining gains back:
 * about 5 % fewer instructions for a lint, a build and a one-peer rebuild of
 * 10,000 peers, and a sixth less CPU for a build of 1,000.
 */
export const INLINING_BUDGET_FLAG = '--max-inlined-bytecode-size-cumulative=230';

/**
 * V8's young generation starts as two halves of 1 MB and doubles (up to two
 * of 16 MB) when more of it survived since the last doubling than it holds.
 * Nearly everything a run allocates while it reads a topology survives (the
 * data, then the model), so a topology of a few hundred KB already takes it
 * to 8 MB and one of 10,000 peers to 32 MB, every page of which the process
 * touches for the first time: 8,000 pages of the 27,000 a lint of 10,000
 * peers faults in. Held at two halves of 1 MB (the growth factor is read
 * when V8 would grow it), lint of that topology faulted in 20,000 pages and
 * took 12 % less time, with no more CPU in user space; a build took 2-9 %
 * less from 1,000 to 10,000 peers and every other shape the benchmark
 * scales (bench/run.mjs). The collector then runs more often (a build of
 * 10,000 peers: 437 scavenges for 329 ms, against 32 for 194 ms), and from
 * about 15,000 peers on that cost a build more than the pages saved: 2 %
 * more time at 16,000 peers (7.2 MiB), 20 % at 100,000.
 */
export const YOUNG_GENERATION_FLAG = '--semi-space-growth-factor=1';

/**
 * From this size on the smaller budget gains more than the refused code
 * caches cost: at 100 peers with their rules (48 KB) a lint ran faster
 * without it and a build with it; at 300 (140 KB) both ran faster with it.
 */
export const LARGE_TOPOLOGY_FROM = 32 * 1024;

/** Below this size a large topology runs with the young generation held small (10,000 peers of bench/generate.mjs: 4.5 MiB). */
export const SMALL_YOUNG_GENERATION_BELOW = 6 * 1024 * 1024;

/**
 * V8 lets its heap grow to four times what the last full collection kept
 * before it collects again (MemoryController::MaxGrowingFactor, where the
 * heap limit is 2 GB or more). A build holds the model of a topology to its
 * end while it renders files that are garbage once written: 100,000 peers
 * kept 450 MB and grew to 1.8 GB, nearly all of it garbage. Capped at
 * twice, that build peaks at 1.13-1.17 GB (1.06-1.57 GB uncapped, as the
 * collections fall) for about 0.5 s more CPU in 15; capped at 1.5 times,
 * at 1.00-1.07 GB for about 1.5 s more. A smaller topology stays at a few
 * hundred MB either way, and its build does without the extra collections.
 * `gen diff` holds two models while it renders both trees: capped alike.
 */
export const HEAP_GROWTH_FLAG = '--heap-growing-percent=100';

/** Topologies from this size on (about 18,000 peers) are rendered with the heap's growth capped. */
export const CAPPED_HEAP_GROWTH_FROM = 8 * 1024 * 1024;

/** V8's own growth of the young generation (doubling). */
export const YOUNG_GENERATION_DEFAULT_FLAG = '--semi-space-growth-factor=2';

/**
 * The flags a run on `file` sets, none for a small topology; `renders`: the
 * command renders files while it holds the model (gen build, gen diff). Any
 * change of V8's flags makes V8 refuse every code cache recorded before it,
 * Node's own included: each built-in module loaded after it (node:crypto
 * for a build, the stream of stdout or stderr) is compiled from its source,
 * and that cost a lint of the default topology a seventh of what gen adds
 * to a bare start of Node. A small topology therefore runs under V8's
 * defaults, as gen's code cache was recorded (scripts/code-cache.mjs),
 * without loading node:v8. The size of standard input is not known
 * beforehand: it is taken for one of every size, so it gets the inlining
 * budget and (for a command that renders) the capped heap, and keeps V8's
 * own growth of the young generation.
 */
export function v8FlagsFor(file: string, renders = false): string[] {
  const flags: string[] = [];
  if (renders && topologyOfAtLeast(file, CAPPED_HEAP_GROWTH_FROM)) flags.push(HEAP_GROWTH_FLAG);
  if (topologyOfAtLeast(file, LARGE_TOPOLOGY_FROM)) {
    flags.push(INLINING_BUDGET_FLAG);
    if (!topologyOfAtLeast(file, SMALL_YOUNG_GENERATION_BELOW)) flags.push(YOUNG_GENERATION_FLAG);
  }
  return flags;
}

/** Whether this run holds the young generation small (tuneV8For set YOUNG_GENERATION_FLAG). */
let youngHeld = false;

/** Sets v8FlagsFor(file, renders), before the topology is read. */
export async function tuneV8For(file: string, renders = false): Promise<void> {
  const flags = v8FlagsFor(file, renders);
  await setFlags(flags);
  youngHeld = flags.includes(YOUNG_GENERATION_FLAG);
}

/**
 * The flags gen diff's base (from a directory or a git revision) adds, read
 * after the run was tuned for its file (`youngHeld`: with the young
 * generation held small), by its size in UTF-8 bytes, as a file's is
 * measured: a base of CAPPED_HEAP_GROWTH_FROM or more caps the heap's
 * growth, and one of SMALL_YOUNG_GENERATION_BELOW or more gives the young
 * generation V8's growth back, as a file of its size would have had them.
 */
export function v8FlagsForBase(text: string, youngHeld: boolean): string[] {
  const size = Buffer.byteLength(text, 'utf8');
  const flags: string[] = [];
  if (size >= CAPPED_HEAP_GROWTH_FROM) flags.push(HEAP_GROWTH_FLAG);
  if (youngHeld && size >= SMALL_YOUNG_GENERATION_BELOW) flags.push(YOUNG_GENERATION_DEFAULT_FLAG);
  return flags;
}

/** Sets v8FlagsForBase for gen diff's base. */
export async function tuneV8ForBase(text: string | undefined): Promise<void> {
  if (text === undefined) return;
  const flags = v8FlagsForBase(text, youngHeld);
  await setFlags(flags);
  if (flags.includes(YOUNG_GENERATION_DEFAULT_FLAG)) youngHeld = false;
}

async function setFlags(flags: readonly string[]): Promise<void> {
  if (flags.length === 0) return;
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString(flags.join(' '));
}
