// Untrusted .loss text never runs as code: attempts are syntax errors, and nothing is evaluated.
import { describe, expect, it } from 'vitest';
import { compileSource } from '@descent/dsl';

declare global {
  // set by any injected code that managed to run
  var __descentInjected: boolean | undefined;
}

const attempts: readonly [string, string][] = [
  ['template string', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = `${globalThis.__descentInjected = true}`'],
  ['backticks in a name', 'dim d = 2\nparam w`x`[d] ~ normal(0, 1)\nloss = |w|^2'],
  ['require', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = require("child_process").execSync("true")'],
  ['process', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = process.exit(1)'],
  ['member access', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = w.constructor'],
  ['unicode escape in a name', 'dim d = 2\nparam \\u0077[d] ~ normal(0, 1)\nloss = |w|^2'],
  ['non-ASCII name', 'dim d = 2\nparam ŵ[d] ~ normal(0, 1)\nloss = |ŵ|^2'],
  ['statement separator', 'dim d = 2; globalThis.__descentInjected = true\nparam w[d] ~ normal(0, 1)\nloss = |w|^2'],
  ['arrow function', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = (() => 1)()'],
  ['string as code', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = "globalThis.__descentInjected = true"'],
  ['dollar sign', 'dim d = 2\nparam $w[d] ~ normal(0, 1)\nloss = |$w|^2'],
  ['comment trick', 'dim d = 2 /* */\nparam w[d] ~ normal(0, 1)\nloss = |w|^2'],
];

describe('code in a .loss file is rejected, never run', () => {
  it.each(attempts)('%s', (_name, source) => {
    globalThis.__descentInjected = undefined;
    const r = compileSource(source, { file: 'evil.loss' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.diagnostics.length).toBeGreaterThan(0);
      expect(r.diagnostics[0]!.file).toBe('evil.loss');
      expect(r.diagnostics[0]!.line).toBeGreaterThanOrEqual(1);
    }
    expect(globalThis.__descentInjected).toBeUndefined();
  });

  it('numbers reach generated kernels only as values the compiler formatted', () => {
    // a huge or odd literal is parsed to a number; it can never splice text into a kernel
    const r = compileSource('dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = |w|^2 * 1e308 + 0.5e-3', { file: 'n.loss' });
    expect(r.ok).toBe(true);
  });
});
