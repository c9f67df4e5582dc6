// Preloaded (node --require) into the measured gen process: records its
// peak RSS (KB) and the CPU time it used (user + system, microseconds) at
// exit. CPU time hardly depends on what else runs on the machine; wall time
// does. CommonJS on purpose: a preload given with --import starts Node's ES
// module loader, which gen's own start avoids, and added about 6 ms to every
// measured run (a tenth of a bare Node start); this one costs about 1 ms,
// and the benchmark measures it (a bare Node start with and without it).
// The peak is the process's own memory's high-water mark (VmHWM): Linux
// keeps getrusage's ru_maxrss (process.resourceUsage().maxRSS) across
// execve, so there it is at least the size of the process that spawned
// this one (the benchmark, holding a 10,000-peer tree in memory: every
// figure read 185 MB).
'use strict';
process.on('exit', () => {
  if (!process.env.GEN_BENCH_RSS) return;
  const fs = require('node:fs');
  const usage = process.resourceUsage();
  let hwm = null;
  try {
    hwm = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  } catch {
    // No /proc (not Linux): ru_maxrss, which such systems reset at exec.
  }
  fs.writeFileSync(process.env.GEN_BENCH_RSS, `${hwm ? hwm[1] : usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}`);
});
