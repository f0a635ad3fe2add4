// The peers' timing rules (../shared/peers/js/common.mjs, copied so the project does not depend on
// the peers folder): warm-up >= 0.3 s and >= 3 steps (1 s if a step takes > 0.4 s: then only the
// 3 steps), then >= BENCH_MIN_TIME (1 s) of timed steps and >= 5 steps (3 if a step takes > 0.4 s);
// the median is reported. Same environment knobs as the peers.
const env = process.env;
const MIN_TIME = Number(env.BENCH_MIN_TIME ?? 1.0) * 1e3;
const MIN_STEPS = Number(env.BENCH_MIN_STEPS ?? 5);
const SLOW_MIN_STEPS = Number(env.BENCH_SLOW_MIN_STEPS ?? 3);
const WARMUP = Number(env.BENCH_WARMUP ?? 0.3) * 1e3;
const WARMUP_STEPS = Number(env.BENCH_WARMUP_STEPS_JS ?? 3);

/** step(): one full GD step returning the loss as a number. Same statistics as the peers. */
export function timeSteps(step, { afterWarmup } = {}) {
  const now = () => performance.now();
  let t0 = now();
  const first = step();
  const tFirst = now() - t0;
  const slow = tFirst > 400;
  let nw = 1;
  const tw = now();
  while (nw < WARMUP_STEPS || (!slow && now() - tw < WARMUP)) { step(); nw++; }
  afterWarmup?.();
  const times = [];
  const need = slow ? SLOW_MIN_STEPS : MIN_STEPS;
  let total = 0, last = first;
  while (total < MIN_TIME || times.length < need) {
    const t = now();
    last = step();
    const dt = now() - t;
    times.push(dt);
    total += dt;
  }
  times.sort((a, b) => a - b);
  const k = times.length;
  const med = k % 2 ? times[(k - 1) / 2] : 0.5 * (times[k / 2 - 1] + times[k / 2]);
  return {
    ms_median: med, ms_min: times[0], ms_p90: times[Math.min(k - 1, Math.floor(0.9 * k))],
    steps: k, warmup_steps: nw, loss_first: first, loss_last: last, finite: Number.isFinite(last),
  };
}
