// The language reference's examples compile: the first one runs a step, every other one compiles.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { compileSource, formatDiagnostics } from '@descent/dsl';

const md = readFileSync(new URL('../../docs/language.md', import.meta.url), 'utf8');
/** Fenced blocks that are whole files (they have an objective). */
const files = [...md.matchAll(/```(?:loss)?\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => /^(loss|maximize)\b/m.test(b) && /^param\b/m.test(b));

it('the first example of docs/language.md compiles and evaluates', () => {
  const source = /```\n([\s\S]*?)```/.exec(md)![1]!;
  const r = compileSource(source, { file: 'language.md' });
  if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics, source));
  r.program.initialize();
  expect(Number.isFinite(r.program.evaluate().objective)).toBe(true);
  expect(r.program.claims).toHaveLength(1);
});

it('the reference has the examples of the second edition (step, slices, claims)', () => {
  expect(files.length).toBeGreaterThanOrEqual(4);
  expect(files.some((f) => f.includes('step'))).toBe(true);
  expect(files.some((f) => f.includes('[:3]'))).toBe(true);
  expect(files.some((f) => f.includes('[*]'))).toBe(true);
});

it.each(files.map((f, k) => [k, f] as const))('example %i of docs/language.md compiles and evaluates', (_k, source) => {
  const r = compileSource(source, { file: 'language.md' });
  if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics, source));
  r.program.initialize();
  expect(Number.isFinite(r.program.evaluate().objective)).toBe(true);
});

it('every complete example of docs/language.md (a ```loss block) compiles and evaluates its loss and metrics', () => {
  const md = readFileSync(new URL('../../docs/language.md', import.meta.url), 'utf8');
  const blocks = [...md.matchAll(/```loss\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks.length).toBeGreaterThan(0);
  for (const source of blocks) {
    const r = compileSource(source, { file: 'language.md' });
    if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics, source));
    r.program.initialize();
    expect(Number.isFinite(r.program.evaluate().objective)).toBe(true);
    for (const [name, v] of Object.entries(r.program.metrics())) {
      for (const x of [v].flat()) expect(Number.isFinite(x), `metric ${name}`).toBe(true);
    }
  }
});
