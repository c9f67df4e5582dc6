// Preloaded into the measured gen process: records its peak RSS (KB) and
// the CPU time it used (user + system, microseconds) at exit. CPU time
// hardly depends on what else runs on the machine; wall time does.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  if (process.env.GEN_BENCH_RSS) writeFileSync(process.env.GEN_BENCH_RSS, `${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}`);
});
