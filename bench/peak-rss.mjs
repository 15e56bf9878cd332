// Preloaded into a benchmarked process: prints its peak resident set size and its CPU time (user +
// system, all threads) on exit. CPU time lets a run on a busy machine still be compared.
process.on('exit', () => {
  const usage = process.resourceUsage();
  process.stderr.write(`\nPEAK_RSS_KB=${usage.maxRSS}\nCPU_SECONDS=${((usage.userCPUTime + usage.systemCPUTime) / 1e6).toFixed(2)}\n`);
});
