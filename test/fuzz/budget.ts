// Time budgets of the fuzz suites: input counts fixed, budgets generous enough for 2 busy cores.
//
// What they take (the whole suite running beside them, 2 cores shared with other work):
// MEASURED_BESIDE_SUITE below. Each budget is a per-input allowance times the input count, at
// least 4x what was measured there, so a loaded machine slows them without failing them; a real
// hang or blow-up is still caught by the per-input limit (far above any input's usual
// milliseconds) and by the spawned processes' 20 s kill guard.

/** FUZZ_SCALE=10 FUZZ_SEED=5 npx vitest run test/fuzz: a longer hunt with other inputs (CI: scale 1, seed 0). */
export const SCALE = Number(process.env['FUZZ_SCALE'] ?? 1);
export const SEED = Number(process.env['FUZZ_SEED'] ?? 0);

/** Inputs of a test at this scale. */
export const runs = (n: number): number => Math.round(n * SCALE);

/** The longest one input may take through the compiler in process (a hang, not a slow machine). */
export const INPUT_LIMIT_MS = 10_000;

/** Per-input allowances: compileSource (about 10 ms each on a quiet machine), main(['check']) and a spawned `descent check`. */
export const MS_PER_COMPILE = 100;
export const MS_PER_MAIN = 500;
export const MS_PER_SPAWN = 2_000;

/** A test's timeout for `inputs` inputs at `msEach` (never below vitest's default budget of 60 s). */
export function budgetMs(inputs: number, msEach: number): number {
  return Math.max(60_000, Math.round(inputs * msEach));
}
