// Many seeds' copies of one small plan run by one generated function: every kernel's loops inlined, seed after seed.
import { allocate } from '../alloc.js';
import { kernelMode } from '../kernels/codegen.js';
import { kernelSpec } from '../kernels/kernel-spec.js';
import { scalarLib } from '../kernels/scalar-lib.js';
import type { Plan, PlanSchedule } from '../plan.js';
import type { Kernel } from '../primitive.js';
import { emitKernel, type BufferRef } from './emit.js';
import { layoutOf, NotStackableError, sameBits, sameKernels, sameLayout, type Layout, type Place } from './layout.js';

export { NotStackableError } from './layout.js';

/** A plan input of every seed: the seeds' rows one after the other (seed s at s·size), or one row every seed reads. */
export interface StackedInput {
  readonly data: Float64Array;
  readonly shared: boolean;
}

/**
 * Kernels are written out until the generated source reaches this many characters: V8 leaves
 * functions of more than about 60 KB of bytecode unoptimized, and a step that runs interpreted
 * is slower than calling the kernels (relu-neuron's step is 18 K characters, matrix-factorization's 33 K).
 */
export const MAX_SOURCE = 120_000;

/** A generated step and what it runs on: one per group of seeds whose plans have the same layout. */
interface GroupStep {
  readonly regions: readonly Float64Array[];
  readonly calls: readonly ((s: number) => void)[];
  readonly seeds: Int32Array;
  readonly run: (regions: readonly Float64Array[], calls: readonly ((s: number) => void)[], seeds: Int32Array) => void;
  readonly source: string;
  readonly inlined: number;
  readonly called: number;
}

/**
 * Seeds' copies of one plan (the same program lowered from each seed's random streams, each
 * compiled as a lone run compiles it) run together: one generated function loops over the seeds
 * and, for each, runs every kernel of the plan with its loops written out (sizes and offsets as
 * literals, see emit.ts) — the kernel's own expressions in the kernel's own order, so each seed's
 * values are its lone plan's bit for bit. A kernel without a recorded spec, or too large to write
 * out, is called as it is on the seed's views (the seed's own kernel). Seeds whose plans differ
 * (a pass that folded a constant of one seed's draw) get a function of their own.
 *
 * Memory: inputs are the caller's stacked rows; outputs, constants that differ between seeds and
 * the results of hoisted kernels get one row per seed. Every other buffer is scratch shared by
 * the seeds (they run one after the other); the elements of scratch that only written-out code
 * touches are local variables of the function, as are the elements it reads of inputs and
 * constants (read once per seed).
 */
export class StackedPlan {
  readonly seeds: number;
  /** Every output of the plan, the seeds' values one after the other (seed s at s·size). */
  readonly outputs: readonly Float64Array[];
  /** Bytes of the buffers this plan allocated. */
  readonly bytes: number;
  private readonly groups: readonly GroupStep[];

  /** `plans[s]`: seed s's plan (one plan may serve several seeds whose plans would be the same). */
  constructor(plans: readonly Plan[], inputs: readonly StackedInput[]) {
    if (plans.length === 0) throw new NotStackableError('no plans');
    if (kernelMode() !== 'generated') throw new NotStackableError('kernels are interpreted here (no new Function)');
    const S = plans.length;
    this.seeds = S;
    // a plan serving several seeds is read once
    const scheduleOf = new Map<Plan, PlanSchedule>();
    const layoutOfSchedule = new Map<PlanSchedule, Layout>();
    const schedules = plans.map((p) => scheduleOf.get(p) ?? scheduleOf.set(p, p.schedule()).get(p)!);
    const layouts = schedules.map((sch) => layoutOfSchedule.get(sch) ?? layoutOfSchedule.set(sch, layoutOf(sch)).get(sch)!);
    const first = schedules[0]!;
    if (first.inputs.length !== inputs.length) throw new RangeError(`the plan takes ${first.inputs.length} inputs, got ${inputs.length}`);
    schedules.forEach((sch) => {
      if (sch.inputs.length !== inputs.length || sch.outputs.length !== first.outputs.length) throw new NotStackableError('the seeds\' plans differ in inputs or outputs');
      sch.inputs.forEach((a, i) => {
        if (a.length !== first.inputs[i]!.length) throw new NotStackableError('the seeds\' plans differ in input sizes');
      });
      sch.outputs.forEach((a, i) => {
        if (a.length !== first.outputs[i]!.length) throw new NotStackableError('the seeds\' plans differ in output sizes');
      });
    });
    inputs.forEach((input, i) => {
      const size = first.inputs[i]!.length;
      const want = input.shared ? size : S * size;
      if (input.data.length !== want) throw new RangeError(`stacked input ${i} has ${input.data.length} values, expected ${want}`);
    });
    // seeds grouped by layout (in practice one group)
    const groupOf: number[][] = [];
    layouts.forEach((l, s) => {
      const g = groupOf.find((members) => {
        const lead = members[0]!;
        return schedules[lead] === schedules[s] || (sameLayout(layouts[lead]!, l) && sameKernels(schedules[lead]!, schedules[s]!));
      });
      if (g === undefined) groupOf.push([s]);
      else g.push(s);
    });
    let bytes = 0;
    const own = (n: number): Float64Array => {
      bytes += n * Float64Array.BYTES_PER_ELEMENT;
      return allocate(n);
    };
    const single = groupOf.length === 1;
    const outputs = single ? undefined : first.outputs.map((a) => own(S * a.length));
    const built = groupOf.map((members) => buildGroup(members, schedules, layouts, inputs, S, own, outputs));
    this.groups = built.map((b) => b.group);
    this.outputs = outputs ?? built[0]!.outputs;
    this.bytes = bytes;
  }

  /** Kernels written out inline, and kernels called as they are (per seed), in the first group. */
  get inlined(): number {
    return this.groups[0]!.inlined;
  }

  get called(): number {
    return this.groups[0]!.called;
  }

  /** The generated functions' sources (one per group of seeds; for tests and reports). */
  get sources(): string[] {
    return this.groups.map((g) => g.source);
  }

  /** Runs every seed's plan on the current input rows (outputs into `outputs`). */
  execute(): void {
    for (const g of this.groups) g.run(g.regions, g.calls, g.seeds);
  }
}

/**
 * The generated step of the seeds `members` (plans of one layout): region arrays, kernel
 * calls, and its source. `sharedOutputs`: the stacked outputs every group copies into (several
 * groups), else a stacked region holding exactly an output is that output.
 */
function buildGroup(
  members: readonly number[], schedules: readonly PlanSchedule[], layouts: readonly Layout[], inputs: readonly StackedInput[],
  S: number, own: (n: number) => Float64Array, sharedOutputs: readonly Float64Array[] | undefined,
): { group: GroupStep; outputs: Float64Array[] } {
  const lead = members[0]!;
  const layout = layouts[lead]!;
  const first = schedules[lead]!;
  const hoisted = first.hoisted;
  const regions = layout.regions;
  // regions the step writes (not counting hoisted kernels)
  const writtenInStep = new Set<number>();
  for (let k = hoisted; k < layout.kernels.length; k++) writtenInStep.add(layout.kernels[k]!.output.region);

  // one array per region: the caller's input rows, stacked rows, shared constants, or shared scratch
  const perSeed: boolean[] = [];
  const arrays = regions.map((region, r) => {
    if (region.kind === 'input') {
      perSeed.push(!inputs[region.input]!.shared);
      return inputs[region.input]!.data;
    }
    if (region.kind === 'written') {
      const stacked = region.hoisted || region.output;
      perSeed.push(stacked);
      return own(stacked ? S * region.extent : region.extent);
    }
    const rows = members.map((s) => new Float64Array(layouts[s]!.regions[r]!.buffer, 0, region.extent));
    const shared = rows.every((row) => sameBits(row, rows[0]!));
    perSeed.push(!shared);
    if (shared) return rows[0]!;
    const stacked = own(S * region.extent);
    rows.forEach((row, j) => stacked.set(row, members[j]! * region.extent));
    return stacked;
  });
  const view = (p: Place, s: number): Float64Array => {
    const base = perSeed[p.region]! ? s * regions[p.region]!.extent : 0;
    return arrays[p.region]!.subarray(base + p.start, base + p.start + p.length);
  };

  // the hoisted kernels read constants only: run once per seed now, on the seed's rows
  for (const s of members) {
    for (let k = 0; k < hoisted; k++) {
      const at = layout.kernels[k]!;
      schedules[s]!.kernels[k]!.kernel(at.inputs.map((p) => view(p, s)), view(at.output, s));
    }
  }

  // How generated code reaches a region: elements of an array (`arrayRef`), or named values:
  // scratch only written-out code touches lives in locals; read-only regions are read into
  // locals on first use (per seed, or once for all seeds when shared)
  const arrayRef = (p: Place): BufferRef => {
    const base = perSeed[p.region]! ? `O${p.region} + ` : '';
    return { at: (k) => `R${p.region}[${base}${p.start + k}]`, atLoop: (e) => `R${p.region}[${base}${p.start} + ${e}]` };
  };
  const readOnce = new Map<string, string>(); // local -> its load (per seed)
  const readOnceShared = new Map<string, string>(); // local -> its load (before the seed loop)
  const localRef = (p: Place, mode: 'scratch' | 'read'): BufferRef => {
    const array = arrayRef(p);
    return {
      at: (k) => {
        const name = `L${p.region}_${p.start + k}`;
        if (mode === 'read') (perSeed[p.region]! ? readOnce : readOnceShared).set(name, array.at(k));
        return name;
      },
      ...(mode === 'read' ? { atLoop: array.atLoop! } : {}),
    };
  };
  // regions that must stay arrays: touched by a called kernel or a loop, or outputs
  const inArrays = new Set<number>();
  regions.forEach((region, r) => {
    if (region.output || (region.kind === 'written' && perSeed[r]!)) inArrays.add(r);
  });
  const specs = first.kernels.map((k) => kernelSpec(k.kernel));
  // kernels written out, until the source reaches its budget (the rest are called)
  const writtenOut = new Set<number>();
  let sourceLength = 0;
  for (let k = hoisted; k < layout.kernels.length; k++) {
    const at = layout.kernels[k]!;
    const spec = specs[k];
    const places = [...at.inputs, at.output];
    const literal = spec === undefined ? undefined : emitKernel(spec, at.inputs.map((p) => ({ at: arrayRef(p).at })), { at: arrayRef(at.output).at });
    const code = literal ?? (spec === undefined ? undefined : emitKernel(spec, at.inputs.map(arrayRef), arrayRef(at.output)));
    if (code !== undefined && sourceLength + code.length <= MAX_SOURCE) {
      sourceLength += code.length;
      writtenOut.add(k);
    }
    if (literal === undefined || !writtenOut.has(k)) for (const p of places) inArrays.add(p.region);
  }
  const refOf = (p: Place): BufferRef => {
    if (inArrays.has(p.region)) {
      // a read-only array region's elements are still read once into locals
      return writtenInStep.has(p.region) ? arrayRef(p) : localRef(p, 'read');
    }
    return writtenInStep.has(p.region) ? localRef(p, 'scratch') : localRef(p, 'read');
  };

  // the step: each kernel written out, or called on the seed's views
  const calls: ((s: number) => void)[] = [];
  const lines: string[] = [];
  let inlined = 0;
  for (let k = hoisted; k < layout.kernels.length; k++) {
    const at = layout.kernels[k]!;
    const spec = specs[k];
    const code = writtenOut.has(k) ? emitKernel(spec!, at.inputs.map(refOf), refOf(at.output)) : undefined;
    if (writtenOut.has(k) && code === undefined) throw new Error(`stacked plan: kernel ${first.kernels[k]!.label} was written out, then not`);
    lines.push(`// ${first.kernels[k]!.label.replace(/[\r\n]/g, ' ')}`);
    if (code !== undefined) {
      inlined++;
      lines.push(code);
      continue;
    }
    const kernels: Kernel[] = schedules.map((sch) => sch.kernels[k]!.kernel);
    const ins = Array.from({ length: S }, (_, s) => (members.includes(s) ? at.inputs.map((p) => view(p, s)) : []));
    const outs = Array.from({ length: S }, (_, s) => (members.includes(s) ? view(at.output, s) : arrays[at.output.region]!));
    lines.push(`calls[${calls.length}](s);`);
    calls.push((s) => kernels[s]!(ins[s]!, outs[s]!));
  }

  // outputs: a stacked region holding exactly the output is the output; others are copied out
  const exposed = new Set<number>();
  const copies: Float64Array[] = [];
  const outputs = layout.outputs.map((p, j) => {
    const region = regions[p.region]!;
    if (sharedOutputs === undefined && region.kind === 'written' && perSeed[p.region]! && p.start === 0 && p.length === region.extent && !exposed.has(p.region)) {
      exposed.add(p.region);
      return arrays[p.region]!;
    }
    const target = sharedOutputs?.[j] ?? own(S * p.length);
    const index = arrays.length + copies.length;
    copies.push(target);
    const from = refOf(p);
    const to = (k: number | string): string => `R${index}[s * ${p.length} + ${k}]`;
    if (p.length <= 64) for (let e = 0; e < p.length; e++) lines.push(`${to(e)} = ${from.at(e)};`);
    else lines.push(`for (let e = 0; e < ${p.length}; e++) ${to('e')} = ${from.atLoop!('e')};`);
    return target;
  });
  const all = [...arrays, ...copies];

  // locals: scratch declared per seed; read-only elements loaded per seed or before the loop
  const scratch = new Set<string>();
  for (const line of lines) for (const m of line.matchAll(/\bL(\d+)_(\d+)\b/g)) if (!readOnce.has(m[0]) && !readOnceShared.has(m[0])) scratch.add(m[0]);
  const declare = (names: Iterable<string>, prefix: string): string => {
    const list = [...names];
    return list.length === 0 ? '' : `${prefix} ${list.join(', ')};`;
  };
  const loads = all.map((_, r) => `const R${r} = regions[${r}];`).join(' ');
  const offsets = regions.map((region, r) => (perSeed[r]! ? `const O${r} = s * ${region.extent};` : '')).join(' ');
  const sharedLoads = [...readOnceShared].map(([name, load]) => `const ${name} = ${load};`).join(' ');
  const seedLoads = [...readOnce].map(([name, load]) => `const ${name} = ${load};`).join('\n');
  const source = `return function wholeStep(regions, calls, seeds) {
  ${loads}
  ${sharedLoads}
  for (let j = 0; j < seeds.length; j++) {
    const s = seeds[j];
    ${offsets}
    ${declare([...scratch].map((n) => `${n} = 0`), 'let')}
${seedLoads}
${lines.join('\n')}
  }
};`;
  const run = new Function('lib', source)(scalarLib) as GroupStep['run'];
  return {
    group: { regions: all, calls, seeds: Int32Array.from(members), run, source, inlined, called: calls.length },
    outputs,
  };
}
