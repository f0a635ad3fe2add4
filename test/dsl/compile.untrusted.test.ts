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
  ['template string in a name', 'dim d = 2\nparam w${globalThis.__descentInjected = true}[d] ~ normal(0, 1)\nloss = |w|^2'],
  ['template string as a dim value', 'dim d = `${globalThis.__descentInjected = true}`\nparam w[d] ~ normal(0, 1)\nloss = |w|^2'],
  ['backticks around the loss', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = `|w|^2`'],
  ['require as a name', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = require'],
  ['process.env', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = process.env.HOME'],
  ['process.mainModule.require', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = process.mainModule.require("child_process")'],
  ['unicode escape spelling process', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = \\u0070rocess.exit(1)'],
  ['unicode code point escape in a name', 'dim d = 2\nparam w\\u{77}[d] ~ normal(0, 1)\nloss = |w|^2'],
  ['hex escape in a name', 'dim d = 2\nparam \\x77[d] ~ normal(0, 1)\nloss = |w|^2'],
  ['zero-width joiner in a name', 'dim d = 2\nparam w\u200d[d] ~ normal(0, 1)\nloss = |w|^2'],
  ['right-to-left override', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = |w|^2 \u202e'],
  ['dynamic import', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = import("node:fs")'],
  ['eval', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = eval("globalThis.__descentInjected = true")'],
  ['Function constructor', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = Function("globalThis.__descentInjected = true")()'],
  ['constructor chain', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = w["constructor"]["constructor"]("x")()'],
  ['assignment', 'dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = globalThis.__descentInjected = 1'],
  ['string escape out of load', 'dim d = 2\nlet X[d] = load("x.csv\\"); globalThis.__descentInjected = true; (\\"")\nparam w[d] ~ normal(0, 1)\nloss = |w|^2'],
  ['hex number', 'dim d = 0x2\nparam w[d] ~ normal(0, 1)\nloss = |w|^2'],
  ['number with separators', 'dim d = 1_0\nparam w[d] ~ normal(0, 1)\nloss = |w|^2'],
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

  it('names that are members of every JS object are ordinary names (no prototype is reached or polluted)', () => {
    const source = [
      'dim __proto__ = 2', 'dim constructor = 3', 'let toString = 2', 'let valueOf = 1',
      'param prototype[__proto__] ~ normal(0, 1)', 'param hasOwnProperty[constructor] ~ normal(0, 1)',
      'loss = toString * |prototype|^2 + valueOf * |hasOwnProperty|^2',
      'metric __proto__m = |prototype|', 'metric constructor_m = |hasOwnProperty|',
    ].join('\n').replace('__proto__m', '__proto__').replace('constructor_m', 'constructor');
    // (a metric may share a dim's name only if the language allows it; either way, no crash)
    const r = compileSource(source, { file: 'names.loss', overrides: { __proto__: 4, constructor: 5 } as Record<string, number> });
    if (r.ok) {
      expect(r.program.constants).toMatchObject({ toString: 2, valueOf: 1 });
      expect(Object.getOwnPropertyNames(r.program.constants)).toEqual(expect.arrayContaining(['__proto__', 'constructor']));
    }
    const plain = compileSource('dim __proto__ = 2\ndim constructor = 3\nparam w[__proto__] ~ normal(0, 1)\nparam v[constructor] ~ normal(0, 1)\nloss = |w|^2 + |v|^2\nmetric __proto__x = |w|', { file: 'names.loss' });
    expect(plain.ok).toBe(true);
    if (plain.ok) {
      expect(plain.program.paramInfo.map((p) => p.size)).toEqual([2, 3]);
      expect(Object.getOwnPropertyNames(plain.program.constants).sort()).toEqual(['__proto__', 'constructor']);
    }
    const metric = compileSource('dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = |w|^2\nmetric __proto__ = |w|\nmetric constructor = 2 * |w|', { file: 'names.loss' });
    expect(metric.ok).toBe(true);
    if (metric.ok) expect(Object.getOwnPropertyNames(metric.program.metrics()).sort()).toEqual(['__proto__', 'constructor']);
    const set = compileSource('dim __proto__ = 2\nparam w[__proto__] ~ normal(0, 1)\nloss = |w|^2', { file: 'names.loss', overrides: JSON.parse('{"__proto__": 5}') as Record<string, number> });
    expect(set.ok && set.program.paramInfo[0]!.size).toBe(5);
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
    expect(({} as Record<string, unknown>)['__descentInjected']).toBeUndefined();
  });

  it('generated kernels never contain text from the file: every new Function body is built from the IR', () => {
    const bodies: string[] = [];
    const RealFunction = globalThis.Function;
    globalThis.Function = new Proxy(RealFunction, {
      construct(target, args: string[]) {
        bodies.push(args.join('\n'));
        return Reflect.construct(target, args) as object;
      },
      apply(target, self, args: string[]) {
        bodies.push(args.join('\n'));
        return Reflect.apply(target, self, args) as unknown;
      },
    });
    try {
      // unusual names and literal digits that would show up if any text of the file were spliced in
      const r = compileSource(
        'dim zzDimName = 3\nlet qqLet = 0.7315926\nparam wwUserParam[zzDimName] ~ normal(0, 1)\n' +
          'sample xxUserSample[zzDimName] ~ normal(0, 1)\nexpect samples(17)\n' +
          'loss = E[(dot(wwUserParam, xxUserSample) * 1.2345678e-3 - qqLet)^2] + 4.2424242 * sum_i relu(wwUserParam[i])^3 + logsumexp_i(wwUserParam[i]) + sum_i sin(cos(atan(wwUserParam[i] * 0.1234567)))\n' +
          'metric mmUserMetric = max_i |wwUserParam[i] - 0.8675309|',
        { file: 'kernels.loss', seed: 99 },
      );
      expect(r.ok).toBe(true);
      if (r.ok) {
        r.program.evaluate();
        r.program.metrics();
      }
    } finally {
      globalThis.Function = RealFunction;
    }
    // kernels are cached per body, but sin, cos and atan are used by no other test in this file:
    // their kernels are built here, through the intercepted constructor
    expect(bodies.some((b) => b.includes('Math.atan('))).toBe(true);
    for (const b of bodies) expect(b).not.toMatch(/zzDimName|qqLet|wwUserParam|xxUserSample|mmUserMetric|7315926|2345678|4242424|8675309|1234567|kernels\.loss/);
  });

  it('numbers reach generated kernels only as values the compiler formatted', () => {
    // a huge or odd literal is parsed to a number; it can never splice text into a kernel
    const r = compileSource('dim d = 2\nparam w[d] ~ normal(0, 1)\nloss = |w|^2 * 1e308 + 0.5e-3', { file: 'n.loss' });
    expect(r.ok).toBe(true);
  });
});
