// Text as editors save it: a byte-order mark, CRLF and CR-only line ends; sizes too large to be
// real are printed as numbers.
import { describe, expect, it } from 'vitest';
import { formatBytes } from '@descent/autodiff';
import { compileSource, formatDiagnostics, parse } from '@descent/dsl';

const model = ['# a comment', 'param w ~ normal(0, 1)', 'loss = w^2 +', '  0.5 * w', 'metric a = w'];

describe('line ends and byte-order marks', () => {
  for (const [name, text] of [
    ['LF', model.join('\n')],
    ['CRLF', model.join('\r\n') + '\r\n'],
    ['CR only', model.join('\r') + '\r'],
    ['BOM + CRLF', '\uFEFF' + model.join('\r\n')],
    ['BOM + CR only', '\uFEFF' + model.join('\r')],
  ] as const) {
    it(`${name}: compiles to the same program as LF`, () => {
      const r = compileSource(text, { file: 'ends.loss' });
      expect(r.ok).toBe(true);
      if (r.ok) {
        expect(r.program.metricInfo.map((m) => m.name)).toEqual(['a']);
        r.program.params[0]!.fill(2);
        expect(r.program.evaluate().objective).toBe(5);
      }
    });
  }

  it('errors in CR-only and BOM files name the right line and column, and show the line', () => {
    const text = '\uFEFFparam w ~ normal(0, 1)\rloss = w^2 +\r  wx';
    const r = compileSource(text, { file: 'cr.loss' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.diagnostics.map((d) => [d.line, d.column, d.message])).toEqual([[3, 3, 'unknown name `wx`']]);
      expect(formatDiagnostics(r.diagnostics, text)).toContain('cr.loss:3:3: error: unknown name `wx`\n  wx\n  ^~');
    }
    const bom = parse('\uFEFFparam w ~ normal(0, 1)\nloss = w ^', 'b.loss');
    expect(bom.ok).toBe(false);
    if (!bom.ok) expect(bom.diagnostics[0]!.line).toBe(2);
    const first = parse('\uFEFF$', 'b.loss');
    expect(first.ok).toBe(false);
    if (!first.ok) expect([first.diagnostics[0]!.line, first.diagnostics[0]!.column]).toEqual([1, 1]);
  });
});

describe('huge sizes', () => {
  it('a dim of 1e308 is refused with its size as a number, not "Infinity TiB"', () => {
    const r = compileSource('dim n = 1e308\nparam w[n] ~ normal(0, 1)\nloss = |w|^2', { file: 'huge.loss', maxMemoryBytes: 1 << 30 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.diagnostics[0]!.message).toBe('w[1e+308] holds 1.00e+308 values (7.28e+296 TiB), more than the memory limit of 1.0 GiB');
      expect(r.diagnostics.map((d) => d.message).join('\n')).not.toMatch(/Infinity|NaN/);
    }
  });

  it('formatBytes: ordinary sizes unchanged, past 10,000 TiB in exponent form, never Infinity', () => {
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(300 * 2 ** 20)).toBe('300 MiB');
    expect(formatBytes(1e4, 8)).toBe('78.1 KiB');
    expect(formatBytes(2 ** 50)).toBe('1024 TiB');
    expect(formatBytes(1e308, 8)).toBe('7.28e+296 TiB');
    expect(formatBytes(Infinity)).toBe('more than 1.80e+308 B');
  });
});
