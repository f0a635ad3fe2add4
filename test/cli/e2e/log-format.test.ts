// log.jsonl stays plain JSON lines for every run, diverged ones included: null for a non-finite value, named in "nonfinite".
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl } from '../../../packages/cli/src/runlog.js';
import { descent, scratch } from './helpers.js';

/** Blows up over a few steps, through values of every size (1e15..1e21 whole numbers, then inf, then NaN). */
const DIVERGING = `dim n = 3
param w[n] ~ normal(3, 0.1)
loss = sum_i w[i]^4
metric w_now[i] = w[i]
metric top = max_i w[i]^4
optimizer gd(lr = 0.3)
steps 40
log 40
`;

const FORMAT_STRINGS = new Set(['NaN', 'Infinity', '-Infinity']);

/** Every leaf of a parsed line: its path, and whether it is a finite number, null, or a string field of the format. */
function badLeaves(value: unknown, at = ''): string[] {
  if (value === null) return [];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [at];
  if (Array.isArray(value)) return value.flatMap((v, i) => badLeaves(v, `${at}[${i}]`));
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
      if (at === '' && k === 'nonfinite') {
        // the format's one string field: path → "NaN" | "Infinity" | "-Infinity"
        return Object.entries(v as Record<string, unknown>).filter(([, s]) => typeof s !== 'string' || !FORMAT_STRINGS.has(s)).map(([p]) => `nonfinite.${p}`);
      }
      return badLeaves(v, at === '' ? k : `${at}.${k}`);
    });
  }
  return [`${at} (${typeof value})`];
}

describe('log.jsonl of a diverged run', () => {
  it('every line parses with JSON.parse, and every value is a finite number, null, or a "nonfinite" string', () => {
    const cwd = scratch();
    fs.writeFileSync(path.join(cwd, 'blowup.loss'), DIVERGING);
    const r = descent(['run', 'blowup.loss', '--out', 'd', '--quiet'], { cwd });
    expect(r.code, r.stderr).toBe(3);
    const text = fs.readFileSync(path.join(cwd, 'd', 'log.jsonl'), 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const [i, rec] of records.entries()) expect(badLeaves(rec), `line ${i + 1}: ${lines[i]}`).toEqual([]);
    // the run went through huge finite values (exponent form, never a 16-digit whole number) and then non-finite ones
    expect(text).not.toMatch(/(?<![.\d])\d{16,}(?![.\de])/);
    const last = records[records.length - 1]!;
    expect(last['nonfinite']).toBeDefined();
    for (const [p, what] of Object.entries(last['nonfinite'] as Record<string, string>)) {
      expect(p).toMatch(/^(loss|metrics\.\w+(\[\d+\])?)$/);
      expect(FORMAT_STRINGS.has(what)).toBe(true);
    }
    // descent's own reader puts the non-finite values back
    const back = readJsonl<{ loss: number; nonfinite?: unknown }>(path.join(cwd, 'd', 'log.jsonl')).records;
    expect(back).toHaveLength(records.length);
    expect(Number.isFinite(back[back.length - 1]!.loss) && last['loss'] !== null).toBe(last['loss'] !== null);
    expect(back.every((b) => b.nonfinite === undefined)).toBe(true);
  });
});
