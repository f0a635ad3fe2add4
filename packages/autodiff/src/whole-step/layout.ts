// How a compiled plan's buffers lie in memory (its regions), and whether two seeds' plans lie and compute alike.
import { kernelSpec } from '../kernels/kernel-spec.js';
import type { PlanSchedule } from '../plan.js';

/** Why the plans cannot run as one stacked plan (the caller runs them another way). */
export class NotStackableError extends Error {
  override readonly name = 'NotStackableError';
}

/** One memory block of a plan (an ArrayBuffer its buffers and views live in), as every seed's plan lays it out. */
export interface Region {
  readonly buffer: ArrayBufferLike;
  readonly kind: 'input' | 'constant' | 'written';
  readonly input: number;
  extent: number;
  hoisted: boolean;
  output: boolean;
}

/** Where one buffer of a plan lives: its region and first element there. */
export interface Place {
  readonly region: number;
  readonly start: number;
  readonly length: number;
}

/** One plan's regions and where each kernel's buffers are in them. */
export interface Layout {
  readonly regions: Region[];
  readonly kernels: { readonly inputs: Place[]; readonly output: Place }[];
  readonly outputs: Place[];
}

export function layoutOf(schedule: PlanSchedule): Layout {
  const regions: Region[] = [];
  const byBuffer = new Map<ArrayBufferLike, number>();
  const place = (a: Float64Array, kind: Region['kind'], input = -1): Place => {
    let r = byBuffer.get(a.buffer);
    if (r === undefined) {
      r = regions.length;
      byBuffer.set(a.buffer, r);
      regions.push({ buffer: a.buffer, kind, input, extent: 0, hoisted: false, output: false });
    }
    const start = a.byteOffset / Float64Array.BYTES_PER_ELEMENT;
    const region = regions[r]!;
    region.extent = Math.max(region.extent, start + a.length);
    return { region: r, start, length: a.length };
  };
  schedule.inputs.forEach((a, i) => {
    if (a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) throw new NotStackableError('a plan input is a view into a larger buffer');
    if (byBuffer.has(a.buffer)) throw new NotStackableError('two plan inputs share a buffer');
    place(a, 'input', i);
  });
  const kernels = schedule.kernels.map((k, index) => {
    const inputs = k.inputs.map((a) => place(a, 'constant'));
    const output = place(k.output, 'written');
    const region = regions[output.region]!;
    if (region.kind !== 'written') throw new NotStackableError(`kernel ${k.label} writes a plan input or a constant`);
    if (index < schedule.hoisted) region.hoisted = true;
    return { inputs, output };
  });
  const outputs = schedule.outputs.map((a) => {
    const p = place(a, 'constant');
    regions[p.region]!.output = true;
    return p;
  });
  return { regions, kernels, outputs };
}

/** The same layout (regions of the same kinds and extents, buffers at the same places) in two plans. */
export function sameLayout(a: Layout, b: Layout): boolean {
  const samePlace = (p: Place, q: Place): boolean => p.region === q.region && p.start === q.start && p.length === q.length;
  return a.regions.length === b.regions.length
    && a.regions.every((r, i) => {
      const q = b.regions[i]!;
      return r.kind === q.kind && r.input === q.input && r.extent === q.extent && r.hoisted === q.hoisted && r.output === q.output;
    })
    && a.kernels.length === b.kernels.length
    && a.kernels.every((k, i) => {
      const q = b.kernels[i]!;
      return samePlace(k.output, q.output) && k.inputs.length === q.inputs.length && k.inputs.every((p, j) => samePlace(p, q.inputs[j]!));
    })
    && a.outputs.length === b.outputs.length && a.outputs.every((p, i) => samePlace(p, b.outputs[i]!));
}

export function sameBits(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** What a spec computes, as text (offset tables as arrays). */
const specKey = (spec: unknown): string => JSON.stringify(spec, (_, v: unknown) => (v instanceof Int32Array ? Array.from(v) : v));

/** The same kernels in the same order: labels, and what each written-out kernel computes. */
export function sameKernels(a: PlanSchedule, b: PlanSchedule): boolean {
  return a.hoisted === b.hoisted && a.kernels.length === b.kernels.length && a.kernels.every((k, i) => {
    const q = b.kernels[i]!;
    if (k.label !== q.label) return false;
    const [x, y] = [kernelSpec(k.kernel), kernelSpec(q.kernel)];
    return x === y || (x !== undefined && y !== undefined && specKey(x) === specKey(y));
  });
}
