// Timing helpers shared by the benchmarks: warm up, then the median of repeated timed batches.

/** Median nanoseconds per call of fn, over batches of `inner` calls lasting >= minMs in total. */
export function nsPerCall(fn, { inner = 1, minMs = 300, warmupMs = 100 } = {}) {
  const until = (ms, body) => {
    const end = performance.now() + ms;
    while (performance.now() < end) body();
  };
  until(warmupMs, () => {
    for (let i = 0; i < inner; i++) fn();
  });
  const samples = [];
  const end = performance.now() + minMs;
  while (performance.now() < end || samples.length < 5) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < inner; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / inner);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

export function row(label, value, unit, reference) {
  const ref = reference === undefined ? '' : `   (hand-written loop: ${fmt(reference)} ${unit})`;
  console.log(`${label.padEnd(44)} ${fmt(value).padStart(10)} ${unit}${ref}`);
}

export function fmt(x) {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}
