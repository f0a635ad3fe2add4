// Time budgets of the fuzz suites: input counts fixed, budgets generous enough for 2 busy cores.
//
// Measured three times with other tests running beside them on 2 cores shared with four other
// builds (load average 13-19): twice on a fresh clone within the whole suite (`pnpm test`), once
// with the reliability e2e tests beside them; the slowest of the three against the budgets below:
//   byte-by-byte deletions of every model   44.4 s  of 300 s    (6.8x)
//   6,000 byte-level mutations             110.7 s  of 600 s    (5.4x)
//   1,500 recombined / 1,500 random          7.4 s / 6.7 s of 300 s each
//   600 through main(['check'])             15.4 s  of 300 s    (19x)
//   158 spawned `descent check`            231.1 s  of 1,580 s (6.8x)
//   slowest single input: in process 1.4 s of 10 s (7x); spawned 7.4 s of 30 s (4x)
// (on a quiet machine the 6,000 take about 56 s). Each budget is a per-input allowance times the
// input count, never below the suite's default timeout, so a loaded machine slows them without
// failing them; a real hang or blow-up is still caught by the per-input limits and by the spawned
// processes' kill guard.

/** FUZZ_SCALE=10 FUZZ_SEED=5 npx vitest run test/fuzz: a longer hunt with other inputs (CI: scale 1, seed 0). */
export const SCALE = Number(process.env['FUZZ_SCALE'] ?? 1);
export const SEED = Number(process.env['FUZZ_SEED'] ?? 0);

/** Inputs of a test at this scale. */
export const runs = (n: number): number => Math.round(n * SCALE);

/** The longest one input may take through the compiler in process (a hang, not a slow machine). */
export const INPUT_LIMIT_MS = 10_000;

/** The longest one spawned `descent check` may take beyond Node's start-up; its kill guard is twice that. */
export const SPAWN_LIMIT_MS = 30_000;

/** Per-input allowances: compileSource (about 10 ms each on a quiet machine), main(['check']) and a spawned `descent check`. */
export const MS_PER_COMPILE = 100;
export const MS_PER_MAIN = 500;
export const MS_PER_SPAWN = 10_000;

/** vitest.config.ts's testTimeout: no budget is set below it. */
const SUITE_TIMEOUT_MS = 300_000;

/** A test's timeout for `inputs` inputs at `msEach`. */
export function budgetMs(inputs: number, msEach: number): number {
  return Math.max(SUITE_TIMEOUT_MS, Math.round(inputs * msEach));
}
