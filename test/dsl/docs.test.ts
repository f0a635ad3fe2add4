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
