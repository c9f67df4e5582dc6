// Preloaded (node --require) into the measured gen process: records its
// peak RSS (KB) and the CPU time it used (user + system, microseconds) at
// exit. CPU time hardly depends on what else runs on the machine; wall time
// does. CommonJS on purpose: a preload given with --import starts Node's ES
// module loader, which gen's own start avoids, and added about 6 ms to every
// measured run (a tenth of a bare Node start); this one costs about 1 ms,
// and the benchmark measures it (a bare Node start with and without it).
'use strict';
process.on('exit', () => {
  if (!process.env.GEN_BENCH_RSS) return;
  const usage = process.resourceUsage();
  require('node:fs').writeFileSync(process.env.GEN_BENCH_RSS, `${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}`);
});
