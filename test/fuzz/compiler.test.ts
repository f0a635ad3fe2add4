// Fuzz, in process: ~10,000 mutated, recombined and random .loss texts through compileSource (and
// evaluation when they compile), and ~600 through the CLI's main() as `descent check`. Each must end
// in success or structured diagnostics (within a limit far above its usual milliseconds): no exception, no "internal error", no stack.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compileSource, formatDiagnostics } from '@descent/dsl';
import { main } from '../../packages/cli/src/main.js';
import { budgetMs, INPUT_LIMIT_MS, MS_PER_COMPILE, MS_PER_MAIN, runs, SEED } from './budget.js';
import { modelSeeds, mutatedSeed, recombined, seeds, type Seed } from './mutate.js';

const MEMORY = 32 * 2 ** 20; // bounds the work a mutated size can ask for (the guard is under test too)
const STACK = /^\s+at .*:\d+:\d+\)?$/m;

const stats = { inputs: 0, compiled: 0, errors: 0, slowestMs: 0, slowest: '', cli: 0, cliOk: 0, cliFailed: 0, cliErrors: 0 };
afterAll(() => {
  console.log(
    `fuzz (in process): ${stats.inputs} inputs through compileSource — ${stats.compiled} compiled and evaluated, ${stats.errors} structured errors, ` +
      `slowest ${stats.slowestMs.toFixed(0)} ms (${stats.slowest}); ${stats.cli} through main(['check', …]) — exit 0: ${stats.cliOk}, exit 1: ${stats.cliFailed}, exit 2: ${stats.cliErrors}`,
  );
});

function describeInput(seed: Seed, source: string): string {
  return `${seed.name}, mutated:\n${JSON.stringify(source).slice(0, 2000)}`;
}

/** One input through the compiler: returns normally only if it ended well. */
function compileOne(seed: Seed, source: string): void {
  stats.inputs++;
  const t0 = performance.now();
  let r: ReturnType<typeof compileSource>;
  try {
    r = compileSource(source, { file: seed.file, maxMemoryBytes: MEMORY });
    if (r.ok) {
      // a program that compiles must also run: one evaluation and the metrics
      r.program.evaluate();
      r.program.metrics();
    }
  } catch (e) {
    throw new Error(`compileSource threw ${(e as Error).stack ?? String(e)}\non ${describeInput(seed, source)}`);
  }
  const ms = performance.now() - t0;
  if (ms > stats.slowestMs) {
    stats.slowestMs = ms;
    stats.slowest = seed.name;
  }
  expect(ms, describeInput(seed, source)).toBeLessThan(INPUT_LIMIT_MS);
  if (r.ok) {
    stats.compiled++;
    return;
  }
  stats.errors++;
  expect(r.diagnostics.length).toBeGreaterThan(0);
  for (const d of r.diagnostics) {
    expect(d.file).toBe(seed.file);
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.column).toBeGreaterThanOrEqual(1);
    expect(d.message, describeInput(seed, source)).not.toMatch(/internal|undefined|\[object |TypeError|RangeError/);
  }
  const text = formatDiagnostics(r.diagnostics, source);
  expect(text).not.toMatch(STACK);
}

describe('compileSource on mutated and random input', () => {
  it('every prebuilt model and LANGUAGE.md example is in the corpus', () => {
    expect(modelSeeds.length).toBeGreaterThanOrEqual(10);
    expect(seeds.filter((s) => s.name.startsWith('LANGUAGE.md')).length).toBeGreaterThan(5);
  });

  it('every prebuilt model, byte by byte: each single-byte deletion at 40 spread positions', () => {
    // deterministic coverage of every model file, on top of the random mutations below
    for (const seed of modelSeeds) {
      const n = seed.bytes.length;
      for (let k = 0; k < 40; k++) {
        const at = Math.floor(((k + 0.5) * n) / 40);
        compileOne(seed, Buffer.concat([seed.bytes.subarray(0, at), seed.bytes.subarray(at + 1)]).toString('utf8'));
      }
    }
  }, budgetMs(modelSeeds.length * 40, MS_PER_COMPILE));

  it(`${runs(6000)} byte-level mutations of the corpus (1-6 edits each)`, () => {
    fc.assert(fc.property(mutatedSeed, ({ seed, bytes }) => compileOne(seed, bytes.toString('utf8'))), { numRuns: runs(6000), seed: 7001 + SEED });
  }, budgetMs(runs(6000), MS_PER_COMPILE));

  it(`${runs(1500)} programs recombined from the corpus lines`, () => {
    fc.assert(fc.property(recombined, ({ seed, bytes }) => compileOne(seed, bytes.toString('utf8'))), { numRuns: runs(1500), seed: 7002 + SEED });
  }, budgetMs(runs(1500), MS_PER_COMPILE));

  it(`${runs(1500)} random strings (binary, unicode, and soup of language tokens)`, () => {
    const soup = fc.array(fc.constantFrom('dim d = 3\n', 'param w[d] ~ normal(0, 1)\n', 'loss = ', '|w|^2', 'sum_i ', 'w[i]', '(', ')', '*', '+', '\n', 'E[', ']', 'sample x[d] ~ normal(0, 1)\n', 'x[i]', 'grad(', 'metric m = ', 'claim final(m) < 1\n', 'let ', '= 2\n', '`', '${', '\\u0041'), { maxLength: 40 }).map((a) => a.join(''));
    const input = fc.oneof(fc.string({ maxLength: 400, unit: 'binary' }), fc.string({ maxLength: 400, unit: 'grapheme' }), soup);
    const seed = seeds[0]!;
    fc.assert(fc.property(input, (s) => compileOne(seed, s)), { numRuns: runs(1500), seed: 7003 + SEED });
  }, budgetMs(runs(1500), MS_PER_COMPILE));
});

describe("the CLI's main() on mutated files (descent check, in process)", () => {
  it(`${runs(600)} mutated files: exit 0, 1 or 2, one paragraph on stderr, never an internal error or a stack`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'descent-fuzz-main-'));
    const inputs = fc.sample(mutatedSeed, { numRuns: runs(600), seed: 7004 + SEED });
    for (const [k, { seed, bytes }] of inputs.entries()) {
      const file = path.join(dir, `m${k}.loss`);
      fs.writeFileSync(file, bytes);
      let out = '';
      let err = '';
      const t0 = performance.now();
      const code = await main(['check', file, '--max-memory', '32M'], { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
      const ms = performance.now() - t0;
      stats.inputs++;
      stats.cli++;
      if (code === 0) stats.cliOk++;
      else if (code === 1) stats.cliFailed++;
      else stats.cliErrors++;
      const what = `${seed.name} mutated (${file}): exit ${code}\n${err}`;
      expect([0, 1, 2], what).toContain(code);
      expect(err, what).not.toMatch(/internal error/);
      expect(err + out, what).not.toMatch(STACK);
      expect(ms, what).toBeLessThan(INPUT_LIMIT_MS);
    }
  }, budgetMs(runs(600), MS_PER_MAIN));
});
