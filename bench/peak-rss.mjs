// Preloaded into a benchmarked process: prints its peak resident set size and its CPU time (user +
// system, all threads) on exit. CPU time lets a run on a busy machine still be compared.
process.on('exit', () => {
  // `lockstep detect` hands its work to a child (src/cli/malloc-reexec.ts): the child reports, not the waiting parent.
  if (process.env.LOCKSTEP_REEXEC_PARENT === '1') return;
  const usage = process.resourceUsage();
  process.stderr.write(`\nPEAK_RSS_KB=${usage.maxRSS}\nCPU_SECONDS=${((usage.userCPUTime + usage.systemCPUTime) / 1e6).toFixed(2)}\n`);
});
