// Lossless float64 vector encoding (base64 of little-endian bytes) and state validation helpers.
import { base64Decode, base64Encode } from './base64.js';
import { requireArg } from './table.js';
import { OptimizerError, type OptimizerKind, type OptimizerSpec, type OptimizerState } from './types.js';

/** Encodes a Float64Array as base64 of its little-endian IEEE-754 bytes; decodeF64 inverts it exactly. */
export function encodeF64(a: Float64Array): string {
  const bytes = new Uint8Array(a.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < a.length; i++) view.setFloat64(i * 8, a[i]!, true);
  return base64Encode(bytes);
}

/** Decodes `encodeF64` output into `out` (which must have the encoded length). */
export function decodeF64Into(b64: string, out: Float64Array, what = 'vector'): Float64Array {
  const bytes = base64Decode(b64, what);
  if (bytes.length !== out.length * 8) {
    throw new OptimizerError(`${what}: expected ${out.length} float64 values, got ${bytes.length / 8}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

/** Decodes `encodeF64` output into a new array. */
export function decodeF64(b64: string): Float64Array {
  const bytes = base64Decode(b64, 'float64 data');
  if (bytes.length % 8 !== 0) throw new OptimizerError(`float64 data of ${bytes.length} bytes is not a multiple of 8`);
  return decodeF64Into(b64, new Float64Array(bytes.length / 8));
}

/** The spec's numeric fields, in a fixed order, for `OptimizerState.hyper`. */
export function hyperOf(spec: OptimizerSpec): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(spec)) if (typeof v === 'number') out[k] = v;
  return out;
}

/** Throws unless `state` was taken from an optimizer of this kind, hyperparameters and sizes. */
export function checkCompatible(
  state: OptimizerState,
  spec: OptimizerSpec,
  sizes: readonly number[],
): void {
  if (state.kind !== spec.kind) {
    throw new OptimizerError(`cannot restore a ${state.kind} state into a ${spec.kind} optimizer`);
  }
  const hyper = hyperOf(spec);
  const keys = new Set([...Object.keys(hyper), ...Object.keys(state.hyper)]);
  for (const k of keys) {
    if (!Object.is(hyper[k], state.hyper[k])) {
      throw new OptimizerError(`${spec.kind}: saved ${k} = ${state.hyper[k]} but this optimizer has ${k} = ${hyper[k]}`);
    }
  }
  if (state.sizes.length !== sizes.length || state.sizes.some((n, i) => n !== sizes[i])) {
    throw new OptimizerError(`${spec.kind}: saved parameter sizes [${state.sizes.join(', ')}] differ from [${sizes.join(', ')}]`);
  }
}

/** Reads a finite scalar from a saved state. */
export function scalarOf(state: OptimizerState, name: string): number {
  const v = state.scalars[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new OptimizerError(`${state.kind}: saved state lacks a finite ${name}`);
  return v;
}

/** Checks a scalar is finite before it goes into JSON (where NaN and infinities would become null). */
export function finiteScalar(name: string, v: number): number {
  if (!Number.isFinite(v)) throw new OptimizerError(`optimizer scalar ${name} = ${v} cannot be saved`);
  return v;
}

/** Checks each params vector has the expected length (cheap; called once per step). */
export function checkSizes(kind: string, params: readonly Float64Array[], sizes: readonly number[]): void {
  if (params.length !== sizes.length) {
    throw new OptimizerError(`${kind}: expected ${sizes.length} parameter arrays, got ${params.length}`);
  }
  for (let i = 0; i < sizes.length; i++) {
    if (params[i]!.length !== sizes[i]) {
      throw new OptimizerError(`${kind}: parameter ${i} has length ${params[i]!.length}, expected ${sizes[i]}`);
    }
  }
}

/** Allocates one zeroed buffer per parameter. */
export function buffersLike(sizes: readonly number[]): Float64Array[] {
  return sizes.map((n) => new Float64Array(n));
}

/** The new value of hyperparameter `name` from `values` (validated by the table), or `current` when absent. */
export function scheduledHyper(kind: OptimizerKind, name: string, values: Readonly<Record<string, number>>, current: number): number {
  const v = values[name];
  if (v === undefined) return current;
  requireArg(kind, name, v, `${name} (scheduled)`);
  return v;
}

/** Throws unless `x` is a finite number satisfying `ok` (for arguments outside the table, such as flow's tolerances). */
export function requireHyper(kind: string, name: string, x: number, ok: (x: number) => boolean, want: string): void {
  if (!Number.isFinite(x) || !ok(x)) throw new OptimizerError(`${kind}: ${name} must be ${want}, got ${x}`);
}
