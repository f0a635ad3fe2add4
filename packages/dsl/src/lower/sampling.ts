// Random variables: draws for samples(N), samples(N, fresh) and quadrature(K), with their weights.
import {
  add, allocate, categoriesFromUniforms, constant, gather, mul, placeholder, type Random, type Tensor,
} from '@descent/autodiff';
import type { ProgramAst, SampleStmt } from '../ast.js';
import type { ExpectMode, LoweredNoise } from '../lowered.js';
import { hermiteGrid, type Grid } from '../quadrature.js';
import type { Draws } from './context.js';
import { DRAW, val, zipWith, type Val } from './values.js';

/** The most draws one file may ask for (a quadrature grid grows as K^dims). */
export const MAX_DRAWS = 4_000_000;

/** Gaussian coordinates and categorical sizes of every sample statement, known before lowering. */
export interface SampleLayout {
  readonly gaussianDims: number;
  readonly categoricalSizes: readonly number[];
}

/**
 * Creates sample values for one lowering. Fixed samples are constants drawn now from `fixedRng`
 * (so everything computed from them alone is folded once); fresh samples are graph inputs refilled
 * every step from the program's bulk sample stream (BulkRandom, docs/language.md "Random streams");
 * quadrature is one joint grid: Gauss–Hermite over all Gaussian coordinates times every
 * combination of categorical values, weighted by their probabilities.
 */
export class Sampler {
  readonly draws: Draws;
  readonly noise: LoweredNoise[] = [];
  private readonly grid: Grid | undefined;
  private gaussianOffset = 0;
  private categoricalIndex = 0;

  constructor(
    readonly mode: Exclude<ExpectMode, { kind: 'none' }>,
    private readonly layout: SampleLayout,
    private readonly fixedRng: Random,
  ) {
    if (mode.kind === 'quadrature') {
      this.grid = hermiteGrid(mode.nodes, layout.gaussianDims);
      const combos = layout.categoricalSizes.reduce((a, b) => a * b, 1);
      const count = this.grid.count * combos;
      const weights = allocate(count);
      for (let q = 0; q < this.grid.count; q++) weights.fill(this.grid.weights[q]!, q * combos, (q + 1) * combos);
      this.draws = { count, weights: constant(weights, [count]) };
    } else {
      this.draws = { count: mode.count, weights: null };
    }
  }

  /** Total draws the mode needs, to refuse absurd grids before building them. */
  static drawCount(mode: Exclude<ExpectMode, { kind: 'none' }>, layout: SampleLayout): number {
    if (mode.kind === 'samples') return mode.count;
    return Math.pow(mode.nodes, layout.gaussianDims) * layout.categoricalSizes.reduce((a, b) => a * b, 1);
  }

  /** x ~ normal(mean, std) with positional shape `shape`: mean + std * z, z standard normal per draw. */
  normal(name: string, shape: readonly number[], mean: Val, std: Val): Val {
    const size = shape.reduce((a, b) => a * b, 1);
    const z = this.standardNormal(name, shape, size);
    return zipWith([mean, std, val(z, [DRAW])], ([m, s, zz]) => add(m!, mul(s!, zz!)));
  }

  private standardNormal(name: string, shape: readonly number[], size: number): Tensor {
    const n = this.draws.count;
    const full = [n, ...shape];
    if (this.grid !== undefined) {
      // coordinates [offset, offset + size) of the joint grid, repeated over categorical combos
      const dims = this.layout.gaussianDims;
      const combos = n / this.grid.count;
      const data = allocate(n * size);
      for (let q = 0; q < this.grid.count; q++) {
        for (let c = 0; c < combos; c++) {
          const row = (q * combos + c) * size;
          for (let j = 0; j < size; j++) data[row + j] = this.grid.points[q * dims + this.gaussianOffset + j]!;
        }
      }
      this.gaussianOffset += size;
      return constant(data, full);
    }
    if (this.mode.kind === 'samples' && this.mode.fresh) {
      const p = placeholder(full, name);
      this.noise.push({ name, placeholder: p, fill: (out, rng) => rng.fillNormal(out) });
      return p;
    }
    return this.fixedRng.randn(full);
  }

  /** k ~ categorical(p): integer codes per draw; quadrature enumerates them and weights by p. */
  categorical(name: string, p: Val): Val {
    const n = this.draws.count;
    const m = p.shape[0]!;
    if (this.grid !== undefined) {
      const sizes = this.layout.categoricalSizes;
      const inner = sizes.slice(this.categoricalIndex + 1).reduce((a, b) => a * b, 1);
      this.categoricalIndex++;
      const codes = allocate(n);
      for (let i = 0; i < n; i++) codes[i] = Math.floor(i / inner) % m;
      const codeTensor = constant(codes, [n]);
      // the weight of each draw includes the probability of its category (differentiable in p)
      this.draws.weights = mul(this.draws.weights!, gather(p.t, codeTensor));
      return val(codeTensor, [DRAW]);
    }
    const probabilities = p.t.data;
    if (this.mode.kind === 'samples' && this.mode.fresh) {
      const ph = placeholder([n], name);
      this.noise.push({ name, placeholder: ph, fill: (out, rng) => rng.fillCategorical(out, probabilities) });
      return val(ph, [DRAW]);
    }
    const codes = categoriesFromUniforms(this.fixedRng.fillUniform(allocate(n)), probabilities);
    return val(constant(codes, [n]), [DRAW]);
  }
}

/** Reads the sizes of every sample from the declarations, before anything is lowered. */
export function sampleLayout(
  program: ProgramAst,
  shapeOf: (stmt: SampleStmt, k: number) => number[],
  categoricalSize: (stmt: SampleStmt) => number,
): SampleLayout {
  let gaussianDims = 0;
  const categoricalSizes: number[] = [];
  for (const s of program.statements) {
    if (s.kind !== 'SampleStmt') continue;
    if (s.dist.name.name === 'categorical') {
      for (let k = 0; k < s.decls.length; k++) categoricalSizes.push(categoricalSize(s));
    } else {
      s.decls.forEach((_, k) => (gaussianDims += shapeOf(s, k).reduce((a, b) => a * b, 1)));
    }
  }
  return { gaussianDims, categoricalSizes };
}

