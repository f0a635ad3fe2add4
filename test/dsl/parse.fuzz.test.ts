// Property test: random and mutated text never makes parse throw or hang, and errors are well-formed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, parse } from '@descent/dsl';
import { codeBlocks } from './helpers.js';

const alphabet = [...'abcdxyzEi_019.e ()[]{}|+-*/^@\'<>=!,~#"\n\t\r$`\\', 'µ', '\u0000', 'sum_', 'where', 'loss', '\u{1F600}'];
const piece = fc.constantFrom(...alphabet);

type Edit = { at: number; op: 'delete' | 'insert' | 'replace'; text: string };
const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('delete' as const, 'insert' as const, 'replace' as const),
  text: fc.oneof(piece, fc.string({ maxLength: 4 })),
});

function mutate(source: string, edits: Edit[]): string {
  let s = source;
  for (const e of edits) {
    const at = s.length === 0 ? 0 : e.at % s.length;
    if (e.op === 'delete') s = s.slice(0, at) + s.slice(at + 1 + (e.at % 3));
    else if (e.op === 'insert') s = s.slice(0, at) + e.text + s.slice(at);
    else s = s.slice(0, at) + e.text + s.slice(at + 1);
  }
  return s;
}

const mutated = fc.tuple(fc.constantFrom(...codeBlocks), fc.array(edit, { minLength: 1, maxLength: 8 }))
  .map(([src, edits]) => mutate(src, edits));
const random = fc.oneof(fc.string({ maxLength: 300, unit: 'binary' }), fc.array(piece, { maxLength: 200 }).map((a) => a.join('')));

describe('parse on arbitrary input', () => {
  it('returns a result within 5 s (a hang, not a slow machine), never throwing', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, random), (source) => {
        const t0 = performance.now();
        const r = parse(source, 'fuzz.loss');
        expect(performance.now() - t0).toBeLessThan(5000);
        if (r.ok) {
          expect(r.program.kind).toBe('Program');
          return;
        }
        expect(r.diagnostics.length).toBeGreaterThan(0);
        for (const d of r.diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.column).toBeGreaterThanOrEqual(1);
          expect(d.span.start).toBeLessThanOrEqual(d.span.end);
          expect(d.span.end).toBeLessThanOrEqual(source.length);
          expect(d.message).not.toMatch(/^Expected|internal/);
        }
        expect(typeof formatDiagnostics(r.diagnostics, source)).toBe('string');
      }),
      { numRuns: 300, seed: 20240501 },
    );
  });
});
