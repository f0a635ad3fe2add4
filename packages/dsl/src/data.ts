// Data passed from JavaScript (`compile(source, { data: { X } })`): checked against the file's `let X = load(...)`.
import { Tensor, tensor, type NestedArray } from '@descent/autodiff';
import type { ProgramAst } from './ast.js';
import { didYouMean, type Reporter } from './diagnostics.js';

/** A value for a `let NAME = load("...")`: a tensor, a number or (rectangular) nested arrays of numbers. */
export type DataValue = Tensor | NestedArray;
export type DataValues = Readonly<Record<string, DataValue>>;

/** Data checked and converted: row-major values and their shape, by name. */
export type LoadedData = Readonly<Record<string, { readonly data: Float64Array; readonly shape: readonly number[] }>>;

/** Why `v` cannot be data, or its values. */
function convert(name: string, v: unknown): { data: Float64Array; shape: readonly number[] } | string {
  if (v instanceof Tensor) {
    if (v.symbolic) return `data.${name} is a symbolic tensor (one being traced): pass a tensor with values`;
    return { data: Float64Array.from(v.data), shape: v.shape };
  }
  if (typeof v === 'number' || Array.isArray(v)) {
    try {
      const t = tensor(v as NestedArray);
      return { data: Float64Array.from(t.data), shape: t.shape };
    } catch (e) {
      return `data.${name}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  if (ArrayBuffer.isView(v)) {
    return `data.${name} is a ${v.constructor.name}, which has no shape: wrap it with tensor(Float64Array.from(values), shape)`;
  }
  return `data.${name} is ${v === null ? 'null' : typeof v === 'object' ? `a ${(v as object).constructor?.name ?? 'object'}` : `a ${typeof v}`}: expected a tensor, a number or nested arrays of numbers`;
}

/**
 * The data for the file's `let NAME = load(...)` declarations; a name the file does not load, or
 * a value that is not numbers, is an error at the start of the file.
 */
export function checkData(program: ProgramAst, data: DataValues, reporter: Reporter): LoadedData {
  const at = { start: 0, end: 0 };
  const loads = new Set<string>();
  for (const s of program.statements) {
    if (s.kind === 'LetStmt' && s.value.kind === 'Call' && s.value.callee.name === 'load') loads.add(s.decl.name.name);
  }
  const out: Record<string, { data: Float64Array; shape: readonly number[] }> = Object.create(null) as Record<string, never>;
  for (const name of Object.keys(data)) {
    if (!loads.has(name)) {
      const hint = didYouMean(name, [...loads]) ?? (loads.size === 0 ? 'data replaces `let NAME = load("file")` declarations; this file has none' : `the file loads ${[...loads].join(', ')}`);
      reporter.error(`data.${name}: the file has no \`let ${name} = load(...)\` to take it`, at, hint);
      continue;
    }
    const r = convert(name, data[name]);
    if (typeof r === 'string') reporter.error(r, at);
    else out[name] = r;
  }
  return out;
}
