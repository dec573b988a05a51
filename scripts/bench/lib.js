// Shared helpers of the benchmark scripts: percentiles and peak memory sampling.
function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function latencySummary(ms) {
  const s = [...ms].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50).toFixed(2)} ms, p95 ${percentile(s, 95).toFixed(2)} ms, p99 ${percentile(s, 99).toFixed(2)} ms, max ${s[s.length - 1].toFixed(2)} ms`;
}
function peakRss() {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  t.unref();
  return () => {
    clearInterval(t);
    return `${Math.round(Math.max(peak, process.memoryUsage().rss) / 1048576)} MiB`;
  };
}
module.exports = { percentile, latencySummary, peakRss };
