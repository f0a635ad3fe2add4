// Residual sums: reductions over a matrix whose elements are c·t or c·t², t = m[j] - x[i, j] (a
// per-column m broadcast against a full x, c an expression of one-element values), run as one pass
// over x that writes only the sums (kernels/residual.ts, natively in SIMD where the addon is built).
// Reductions of the same residual share the pass: the loss 0.5 E|m - x|² sums t² by row and its
// gradient sums t by column, so a step reads the batch once instead of writing and re-reading it.
import type { Step } from '../graph.js';
import { residualKernel, type ResidualOutput, type ResidualSum } from '../kernels/residual.js';
import { selectedKernel } from '../kernels/registry.js';
import type { ReduceAttrs } from '../primitives/reduce.js';
import { formatShape, sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { scalarExprOf, type FusedGroup } from './fuse.js';

/** A pass computing several reductions of one residual: `outputs[k]` is the value of `nodes[k]`. */
export interface ResidualPass {
  readonly x: Tensor;
  readonly m: Tensor | undefined;
  readonly scalars: readonly Tensor[];
  readonly nodes: readonly Tensor[];
  readonly outputs: readonly ResidualOutput[];
  /** The elementwise groups the reductions read (never computed: their loops are in the pass). */
  readonly groups: readonly FusedGroup[];
}

/** A member's value: x itself, the column vector m, or c·t^degree with c a scalar expression. */
type Value = { readonly kind: 'x' } | { readonly kind: 'column'; readonly t: Tensor } | { readonly kind: 'poly'; readonly degree: number; readonly coef: string };

/** One reduction recognised as a residual sum, before passes are shared. */
interface Candidate {
  readonly node: Tensor;
  readonly x: Tensor;
  readonly m: Tensor | undefined;
  readonly scalars: readonly Tensor[];
  readonly output: ResidualOutput;
  readonly group: FusedGroup;
}

/** How a scalar input is named in a coefficient expression until its pass names its inputs. */
const scalarMark = (t: Tensor): string => `__s${t.id}`;

/** A coefficient with each scalar's mark replaced by `name(scalar)`. */
const renamed = (coef: string, name: (id: number) => string): string => coef.replace(/__s(\d+)/g, (_, id: string) => name(Number(id)));

/**
 * Matrices of fewer elements keep their generated loops: below this, a native call's fixed cost
 * is more than the loop it replaces (a [10, 5] sum of squares of parameters).
 */
export const RESIDUAL_MIN_ELEMENTS = 1024;

/**
 * A reduction alone (no other sum of its residual to share the pass with) is taken over only when
 * its rows are at least this long: shorter rows are written out in full by the generated loops
 * (kernels/reduce.ts, UNROLL), as fast as the native pass.
 */
export const RESIDUAL_MIN_COLUMNS = 16;

/**
 * The residual sum a reduction computes, if it is one: a sum or mean over axis 1 or axis 0 of a
 * [rows, cols] elementwise group (not an output, read by the reduction alone) whose inputs are one
 * full [rows, cols] array x, at most one per-column vector m ([cols] or [1, cols]) and one-element
 * values, and whose value is c·t or c·t² with t = m - x (or t = -x without m).
 */
function candidateOf(
  node: Tensor, groups: ReadonlyMap<number, FusedGroup>, inputsOf: (t: Tensor) => readonly Tensor[],
  isOutput: (t: Tensor) => boolean, readers: ReadonlyMap<number, number>,
): Candidate | undefined {
  const name = node.prim?.name;
  if (name !== 'sum' && name !== 'mean') return undefined;
  const root = inputsOf(node)[0]!;
  const group = groups.get(root.id);
  if (group === undefined || group.root !== root || scalarExprOf(root) === undefined) return undefined;
  if (isOutput(root) || readers.get(root.id) !== 1 || root.shape.length !== 2) return undefined;
  const [rows, cols] = root.shape as [number, number];
  const { axes } = node.attrs as ReduceAttrs;
  if (axes.length !== 1 || rows < 2 || cols < 2 || rows * cols < RESIDUAL_MIN_ELEMENTS) return undefined;
  const byRow = axes[0] === 1;
  let x: Tensor | undefined;
  const columns: Tensor[] = [];
  const scalars: Tensor[] = [];
  for (const i of group.inputs) {
    if (i.size === 1) scalars.push(i);
    else if (sameShape(i.shape, root.shape)) {
      if (x !== undefined) return undefined;
      x = i;
    } else if (i.size === cols && (i.shape.length === 1 || (i.shape.length === 2 && i.shape[0] === 1))) columns.push(i);
    else return undefined;
  }
  if (x === undefined || columns.length > 1) return undefined;
  const inside = new Map<number, Value>();
  const valueOf = (t: Tensor): Value =>
    inside.get(t.id) ?? (t === x ? { kind: 'x' } : t.size === 1 ? { kind: 'poly', degree: 0, coef: scalarMark(t) } : { kind: 'column', t });
  let m: Tensor | undefined;
  let bareX = false;
  for (const member of group.members) {
    const args = inputsOf(member).map(valueOf);
    const op = member.prim!.name;
    let value: Value | undefined;
    if (op === 'broadcastTo') value = args[0];
    else if (op === 'sub' && args[0]!.kind === 'column' && args[1]!.kind === 'x') {
      if (m !== undefined && m !== args[0]!.t) return undefined;
      m = args[0]!.t;
      value = { kind: 'poly', degree: 1, coef: '1' };
    } else if (op === 'sub' && args[0]!.kind === 'x' && args[1]!.kind === 'column') {
      if (m !== undefined && m !== args[1]!.t) return undefined;
      m = args[1]!.t;
      value = { kind: 'poly', degree: 1, coef: '(-1)' };
    } else {
      // x alone is -t with no m; a column anywhere else is not a residual
      const polys = args.map((a) => (a.kind === 'x' ? ((bareX = true), { kind: 'poly' as const, degree: 1, coef: '(-1)' }) : a));
      if (polys.some((a) => a.kind !== 'poly')) return undefined;
      const ps = polys as { kind: 'poly'; degree: number; coef: string }[];
      const degrees = ps.map((p) => p.degree);
      let degree: number | undefined;
      if (degrees.every((d) => d === 0)) degree = 0;
      else if (op === 'add' || op === 'sub') degree = degrees[0] === degrees[1] ? degrees[0] : undefined;
      else if (op === 'mul') degree = degrees[0]! + degrees[1]!;
      else if (op === 'neg') degree = degrees[0];
      else if (op === 'div') degree = degrees[1] === 0 ? degrees[0] : undefined;
      if (degree === undefined || degree > 2) return undefined;
      // c·t^d combined with c'·t^d' by + - * / is (c op c')·t^(...): the coefficient is the same
      // scalar expression over the coefficients
      value = { kind: 'poly', degree, coef: scalarExprOf(member)!(ps.map((p) => p.coef)) };
    }
    if (value === undefined) return undefined;
    inside.set(member.id, value);
  }
  if (bareX && m !== undefined) return undefined;
  const result = inside.get(root.id);
  if (result?.kind !== 'poly' || result.degree === 0) return undefined;
  const sum: ResidualSum = byRow ? (result.degree === 2 ? 'rowSq' : 'rowSum') : result.degree === 2 ? 'colSq' : 'colSum';
  const scale = name === 'mean' ? 1 / (byRow ? cols : rows) : 1;
  return { node, x, m, scalars, output: { sum, coef: result.coef, scale }, group };
}

/**
 * The reductions of `order` that are residual sums, grouped into passes: reductions of one
 * residual (same x, same m) of different sums share one pass, placed at the first of them, when
 * everything the later ones read is computed before it. Returns reduction id -> its pass.
 */
export function residualPasses(
  order: readonly Tensor[], groups: ReadonlyMap<number, FusedGroup>, inputsOf: (t: Tensor) => readonly Tensor[],
  isOutput: (t: Tensor) => boolean,
): Map<number, ResidualPass> {
  const readers = new Map<number, number>();
  const position = new Map<number, number>();
  order.forEach((node, k) => {
    position.set(node.id, k);
    for (const i of new Set(inputsOf(node))) readers.set(i.id, (readers.get(i.id) ?? 0) + 1);
  });
  const found = order.map((n) => candidateOf(n, groups, inputsOf, isOutput, readers)).filter((c) => c !== undefined);
  const passes = new Map<number, ResidualPass>();
  const done = new Set<Candidate>();
  for (const lead of found) {
    if (done.has(lead)) continue;
    const at = position.get(lead.node.id)!;
    const ready = (t: Tensor): boolean => (position.get(t.id) ?? -1) < at;
    const members = [lead];
    for (const c of found) {
      if (done.has(c) || c === lead || c.x !== lead.x || c.m !== lead.m) continue;
      if (members.some((o) => o.output.sum === c.output.sum)) continue;
      if (![c.x, ...(c.m ? [c.m] : []), ...c.scalars].every(ready)) continue;
      members.push(c);
    }
    for (const c of members) done.add(c);
    if (members.length === 1 && lead.x.shape[1]! < RESIDUAL_MIN_COLUMNS) continue;
    const scalars = [...new Set(members.flatMap((c) => c.scalars))];
    const pass: ResidualPass = {
      x: lead.x, m: lead.m, scalars, nodes: members.map((c) => c.node), outputs: members.map((c) => c.output), groups: members.map((c) => c.group),
    };
    for (const c of members) passes.set(c.node.id, pass);
  }
  return passes;
}

/**
 * The step of `node` in its pass, and its listing line: the first node's step runs the pass (its
 * inputs: x, m, the scalars, then the other nodes, whose buffers it writes); the others' steps do
 * nothing but read what the pass read, so that no buffer the pass reads is reused before the last
 * of its outputs is assigned.
 */
export function residualStep(node: Tensor, pass: ResidualPass): { step: Step; line: string } {
  const reads = [pass.x, ...(pass.m ? [pass.m] : []), ...pass.scalars];
  const shape = formatShape(node.shape);
  const ids = (ts: readonly Tensor[]): string => ts.map((t) => `%${t.id}`).join(', ');
  if (node !== pass.nodes[0]) {
    return {
      step: { node, kernel: () => {}, inputs: reads, label: `residual-sums (written by %${pass.nodes[0]!.id}) ${shape}` },
      line: `%${node.id} = ${node.prim!.name}(${ids(reads)}) ${shape} (written by %${pass.nodes[0]!.id})`,
    };
  }
  const [rows, cols] = pass.x.shape as [number, number];
  const index = new Map(pass.scalars.map((t, k) => [t.id, k]));
  const outputs = pass.outputs.map((o) => ({ ...o, coef: renamed(o.coef, (id) => `s${index.get(id)!}`) }));
  const kernel = residualKernel(
    { rows, cols, hasM: pass.m !== undefined, scalars: pass.scalars.map((_, k) => `s${k}`), outputs },
    () => selectedKernel('residualSums'),
  );
  const what = pass.outputs
    .map((o, k) => `%${pass.nodes[k]!.id} = ${o.sum} * ${renamed(o.coef, (id) => `%${id}`)}${o.scale === 1 ? '' : ` * ${o.scale}`}`)
    .join('; ');
  return {
    step: { node, kernel, inputs: [...reads, ...pass.nodes.slice(1)], label: `residual-sums(${pass.outputs.map((o) => o.sum).join('+')}) ${shape}` },
    line: `%${node.id} = residual-sums(${ids(reads)}) ${shape} { t = ${pass.m ? `%${pass.m.id}` : '0'} - %${pass.x.id}; ${what} }`,
  };
}
