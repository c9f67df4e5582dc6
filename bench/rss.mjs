// Preloaded into the measured gen process: records its peak RSS at exit.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.GEN_BENCH_RSS) writeFileSync(process.env.GEN_BENCH_RSS, String(process.resourceUsage().maxRSS));
});
