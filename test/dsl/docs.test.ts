// The language reference's complete example compiles and runs a step.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { compileSource, formatDiagnostics } from '@descent/dsl';

it('the first example of docs/language.md compiles and evaluates', () => {
  const md = readFileSync(new URL('../../docs/language.md', import.meta.url), 'utf8');
  const source = /```\n([\s\S]*?)```/.exec(md)![1]!;
  const r = compileSource(source, { file: 'language.md' });
  if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics, source));
  r.program.initialize();
  expect(Number.isFinite(r.program.evaluate().objective)).toBe(true);
  expect(r.program.claims).toHaveLength(1);
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
