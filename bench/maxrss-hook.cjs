// Fallback peak-RSS probe for bench/run.mjs, used only where GNU time
// (/usr/bin/time) is missing. Preloaded with `node -r bench/maxrss-hook.cjs`;
// on exit it writes this process's peak RSS in KiB (getrusage ru_maxrss, the
// same figure GNU time's %M prints) to the file named by BENCH_MAXRSS_FILE.
// It does not see memory of child processes the CLI may spawn.
'use strict';
const file = process.env.BENCH_MAXRSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      require('node:fs').writeFileSync(file, String(process.resourceUsage().maxRSS));
    } catch {
      // a benchmark probe must never change the outcome of the run
    }
  });
}
