// Shared helpers for the DSL tests: LANGUAGE.md examples, span stripping, node walking.
import { fileURLToPath } from 'node:url';
import { parse, type ProgramAst } from '@descent/dsl';
import { fencedBlocks, languageMd } from '../fixtures/language.js';

export { languageMd };
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Every fenced code block of LANGUAGE.md. */
export const codeBlocks: string[] = fencedBlocks(languageMd);

/** Inline statement examples from the first column of the declarations table (section 2). */
export const tableStatements: string[] = languageMd
  .split('\n')
  .filter((l) => l.startsWith('| `'))
  .flatMap((l) => [...(l.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? ''))
  .filter((s) => !s.includes('...'));

/** Parses or fails the test with the formatted diagnostics. */
export function parseOk(source: string): ProgramAst {
  const r = parse(source, 'test.loss');
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`).join('\n'));
  return r.program;
}

/** A deep copy without `span`/`opSpan`, for structural comparisons. */
export function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'span' && k !== 'opSpan') out[k] = strip(v);
  return out;
}

/** Every object with a `kind` below (and including) `node`, with its parent. */
export function* nodes(node: unknown, parent: { kind: string; span: { start: number; end: number } } | null = null):
  Generator<{ node: { kind: string; span: { start: number; end: number } }; parent: typeof parent }> {
  if (Array.isArray(node)) {
    for (const c of node) yield* nodes(c, parent);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const n = node as { kind?: string; span?: { start: number; end: number } };
  const self = typeof n.kind === 'string' && n.span !== undefined ? (n as { kind: string; span: { start: number; end: number } }) : null;
  if (self !== null) yield { node: self, parent };
  for (const [k, v] of Object.entries(node)) if (k !== 'span' && k !== 'opSpan' && k !== 'source') yield* nodes(v, self ?? parent);
}
