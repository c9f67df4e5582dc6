// How far V8 lets the heap of a command that holds a large model grow
// between full collections (gen build, gen diff).
import { topologyOfAtLeast } from './topology-size.js';

/**
 * V8 lets its heap grow to four times what the last full collection kept
 * before it collects again (MemoryController::MaxGrowingFactor, where the
 * heap limit is 2 GB or more). A build holds the model of a topology to its
 * end while it renders files that are garbage once written: 100,000 peers
 * kept 450 MB and grew to 1.8 GB, nearly all of it garbage. Capped at
 * twice, that build peaks at 1.13-1.17 GB (1.06-1.57 GB uncapped, as the
 * collections fall) for about 0.5 s more CPU in 15; capped at 1.5 times,
 * at 1.00-1.07 GB for about 1.5 s more. A smaller topology stays at a few hundred MB either way,
 * and its build does without the extra collections and without loading
 * node:v8; the size of standard input is not known beforehand. `gen diff`
 * holds two models while it renders both trees: capped alike.
 */
export async function capHeapGrowth(file: string): Promise<void> {
  if (heapGrowthCapped(file)) await capNow();
}

/** The same for a text already read (gen diff's base, from a directory or a git revision): by its length. */
export async function capHeapGrowthForText(text: string | undefined): Promise<void> {
  if (text !== undefined && text.length >= CAPPED_HEAP_GROWTH_FROM) await capNow();
}

async function capNow(): Promise<void> {
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/** Whether the build of `file` caps the heap's growth: standard input, or a file of CAPPED_HEAP_GROWTH_FROM bytes or more. */
export function heapGrowthCapped(file: string): boolean {
  return topologyOfAtLeast(file, CAPPED_HEAP_GROWTH_FROM);
}

/** Topologies from this size on (about 18,000 peers) are built with the heap's growth capped. */
const CAPPED_HEAP_GROWTH_FROM = 8 * 1024 * 1024;
const HEAP_GROWING_PERCENT = 100;
