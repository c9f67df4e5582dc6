// TurboFan's inlining budget for a run that reads a large topology (gen
// lint, gen build, gen diff).
import { topologyOfAtLeast } from './topology-size.js';

/**
 * V8 inlines up to 920 bytes of bytecode into one optimized function
 * (--max-inlined-bytecode-size-cumulative). On a large topology a quarter
 * of that costs TurboFan less compiling than the deeper inlining gains back:
 * about 5 % fewer instructions for a lint, a build and a one-peer rebuild of
 * 10,000 peers, and a sixth less CPU for a build of 1,000. But any change of
 * V8's flags makes V8 refuse every code cache recorded before it, Node's
 * own included: each built-in module loaded after it (node:crypto for a
 * build, the stream of stdout or stderr) is compiled from its source, and
 * that cost a lint of the default topology a seventh of what gen adds to a
 * bare start of Node. A small topology therefore runs under V8's defaults,
 * as gen's code cache was recorded (scripts/code-cache.mjs), without
 * loading node:v8. The size of standard input is not known beforehand.
 */
export async function fitInliningBudget(file: string): Promise<void> {
  if (!topologyOfAtLeast(file, LARGE_TOPOLOGY_FROM)) return;
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString(INLINING_BUDGET_FLAG);
}

/** The flag a large topology runs under. */
export const INLINING_BUDGET_FLAG = '--max-inlined-bytecode-size-cumulative=230';

/**
 * From this size on the smaller budget gains more than the refused code
 * caches cost: at 100 peers with their rules (48 KB) a lint ran faster
 * without it and a build with it; at 300 (140 KB) both ran faster with it.
 */
export const LARGE_TOPOLOGY_FROM = 32 * 1024;
