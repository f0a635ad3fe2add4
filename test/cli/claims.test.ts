// Claims against a log: each function and operator, vector components, failures with reasons.
import { describe, expect, it } from 'vitest';
import { ClaimError, claimSource, evaluateClaim, evaluateClaims, seriesOf, type Claim } from '../../packages/cli/src/claims.js';
import type { LogRecord } from '../../packages/cli/src/runlog.js';
import { logSteps } from '../../packages/cli/src/runlog.js';

/** A ReLU-like run: loss = 2·t^-2.93 for t ≥ 1, a vector metric and a 0/1 flag. */
const records: LogRecord[] = logSteps(100000, 200).map((step) => ({
  step,
  loss: 2 * Math.max(step, 1) ** -2.93,
  metrics: { norm: [1 - 1 / (step + 1), 0.5], converged: step >= 50000 ? 1 : 0, align: -1 + step / 1e5 },
  elapsed: step / 1e4,
}));

const claim = (c: Partial<Claim> & Pick<Claim, 'fn' | 'op' | 'value'>): Claim => ({ series: 'loss', args: [], ...c });

describe('evaluateClaim', () => {
  it.each<[Claim, boolean, string]>([
    [claim({ fn: 'slope', args: [1e4, 1e5], op: '=', value: -3, tol: 0.3 }), true, 'slope(loss, 1e4, 1e5) = -2.93  (want -3 ± 0.3)  PASS'],
    [claim({ fn: 'slope', args: [1e4, 1e5], op: '=', value: -2, tol: 0.3 }), false, 'slope(loss, 1e4, 1e5) = -2.93  (want -2 ± 0.3)  FAIL'],
    [claim({ fn: 'slope', op: '<', value: -2.9 }), true, 'slope(loss) = -2.93  (want < -2.9)  PASS'],
    [claim({ fn: 'rate', args: [100, 2000], op: '<', value: 0 }), true, 'rate(loss, 100, 2000) = -0.00464  (want < 0)  PASS'],
    [claim({ fn: 'final', op: '<', value: 1e-8 }), true, 'final(loss) = 4.48e-15  (want < 1e-8)  PASS'],
    [claim({ fn: 'final', series: 'converged', op: '==', value: 1 }), true, 'final(converged) = 1  (want == 1)  PASS'],
    [claim({ fn: 'min', op: '>=', value: 0 }), true, 'min(loss) = 4.48e-15  (want >= 0)  PASS'],
    [claim({ fn: 'max', series: 'norm[0]', op: '<=', value: 1 }), true, 'max(norm[0]) = 1  (want <= 1)  PASS'],
    [claim({ fn: 'mean', series: 'norm[1]', op: '=', value: 0.5 }), true, 'mean(norm[1]) = 0.5  (want = 0.5)  PASS'],
    [claim({ fn: 'min', series: 'align', args: [5e4, 1e5], op: '>', value: -0.4 }), false, 'min(align, 5e4, 1e5) = -0.473  (want > -0.4)  FAIL'],
  ])('%# %j', (c, pass, text) => {
    const r = evaluateClaim(c, records);
    expect(r.pass).toBe(pass);
    expect(r.text).toBe(text);
  });

  it('prints the example line of the language reference', () => {
    const r = evaluateClaim(claim({ fn: 'slope', args: [1e4, 1e5], op: '=', value: -3, tol: 0.3 }), records);
    expect(r.text).toBe('slope(loss, 1e4, 1e5) = -2.93  (want -3 ± 0.3)  PASS');
    expect(r.measured).toBeCloseTo(-2.93, 10);
  });

  it('each operator, at and around the boundary', () => {
    const at = (op: Claim['op'], value: number, tol?: number): boolean =>
      evaluateClaim(claim({ fn: 'final', series: 'converged', op, value, ...(tol === undefined ? {} : { tol }) }), records).pass;
    expect([at('<', 1), at('<=', 1), at('>', 1), at('>=', 1), at('==', 1), at('=', 1)]).toEqual([false, true, false, true, true, true]);
    expect([at('!=', 1), at('!=', 0)]).toEqual([false, true]);
    expect([at('<', 1.5), at('>', 0.5), at('==', 1 + 1e-12), at('=', 1 + 1e-12), at('=', 1.2, 0.2), at('=', 1.3, 0.2)]).toEqual([
      true, true, false, true, true, false,
    ]);
  });

  it('fails, with a reason, when the value cannot be measured', () => {
    const r = evaluateClaim(claim({ fn: 'slope', args: [2e5, 3e5], op: '<', value: 0 }), records);
    expect(r.pass).toBe(false);
    expect(Number.isNaN(r.measured)).toBe(true);
    // a window past the end of the log is never shortened (LANGUAGE-2 section 6)
    expect(r.text).toBe('slope(loss, 2e5, 3e5) = n/a (window [2e5, 3e5] ends after the last step 100000)  (want < 0)  FAIL');
    expect(evaluateClaim(claim({ fn: 'final', op: '<', value: 1 }), []).pass).toBe(false);
  });

  it('a diverged series fails min, max, mean and final claims', () => {
    const bad: LogRecord[] = [...records.slice(0, 5), { step: 10, loss: NaN, metrics: {}, elapsed: 0 }];
    for (const fn of ['final', 'min', 'max', 'mean'] as const) {
      expect(evaluateClaim(claim({ fn, op: '<', value: 10 }), bad).pass, fn).toBe(false);
    }
  });

  it('reports what a fit left out', () => {
    const zeros: LogRecord[] = [1, 10, 100, 1000].map((step, i) => ({ step, loss: i === 3 ? 0 : 1 / step, metrics: {}, elapsed: 0 }));
    const r = evaluateClaim(claim({ fn: 'slope', args: [1, 1000], op: '=', value: -1, tol: 0.01 }), zeros);
    expect(r.pass).toBe(true);
    expect(r.reason).toMatch(/ignored 1 value not positive/);
  });

  it('throws ClaimError for claims that do not fit the log', () => {
    const bad = (c: Claim): (() => unknown) => () => evaluateClaim(c, records);
    expect(bad(claim({ fn: 'final', series: 'nrom', op: '<', value: 1 }))).toThrow(/no series "nrom".*loss, norm, converged, align/);
    expect(bad(claim({ fn: 'final', series: 'norm', op: '<', value: 1 }))).toThrow(/vector of 2; name a component, e.g. norm\[0\]/);
    expect(bad(claim({ fn: 'final', series: 'norm[2]', op: '<', value: 1 }))).toThrow(/out of range/);
    expect(bad(claim({ fn: 'final', series: 'align[0]', op: '<', value: 1 }))).toThrow(/scalar/);
    expect(bad(claim({ fn: 'final', series: 'loss[0]', op: '<', value: 1 }))).toThrow(ClaimError);
    expect(bad(claim({ fn: 'slope', args: [1], op: '<', value: 1 }))).toThrow(/window of two steps/);
    expect(bad(claim({ fn: 'final', args: [1], op: '<', value: 1 }))).toThrow(/no further arguments/);
    expect(bad(claim({ fn: 'final', series: 'a b', op: '<', value: 1 }))).toThrow(/not a series name/);
    expect(bad({ ...claim({ fn: 'final', op: '<', value: 1 }), fn: 'median' as Claim['fn'] })).toThrow(/unknown claim function median/);
  });
});

describe('helpers', () => {
  it('seriesOf reads components, NaN where a record lacks the metric', () => {
    const rs: LogRecord[] = [
      { step: 0, loss: 1, metrics: { v: [1, 2] }, elapsed: 0 },
      { step: 1, loss: 2, metrics: {}, elapsed: 0 },
    ];
    expect(seriesOf(rs, 'v[1]')).toEqual({ steps: [0, 1], values: [2, NaN] });
    expect(seriesOf(rs, 'loss').values).toEqual([1, 2]);
  });

  it('claimSource writes the claim as in a .loss file', () => {
    expect(claimSource(claim({ fn: 'slope', args: [1e4, 1e5], op: '=', value: -3, tol: 0.3 }))).toBe('slope(loss, 1e4, 1e5) = -3 +- 0.3');
    expect(claimSource(claim({ fn: 'final', op: '<', value: 1e-8 }))).toBe('final(loss) < 1e-8');
  });

  it('evaluateClaims says whether all pass', () => {
    const ok = claim({ fn: 'min', op: '>=', value: 0 });
    const no = claim({ fn: 'min', op: '<', value: 0 });
    expect(evaluateClaims([ok], records).allPass).toBe(true);
    expect(evaluateClaims([ok, no], records).allPass).toBe(false);
    expect(evaluateClaims([], records).allPass).toBe(true);
  });
});
