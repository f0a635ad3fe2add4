// Hessian metrics of a program: one Hessian-vector-product plan per distinct scalar that
// `hessian_eigs`, `sharpness` or `hessian_trace` is taken of, run before the metric plan on the
// steps that are logged. Metrics of the same scalar share one Hessian (or one Lanczos run).
import {
  add, backward, DENSE_HESSIAN_LIMIT, denseHessian, hessianEigs, hessianTrace, mul, placeholder, planOf,
  symmetricEigenvalues, sum, type HessianVectorProduct, type Plan, type Tensor,
} from '@descent/autodiff';
import type { LoweredCurvature, LoweredParam } from './lowered.js';

/** 'auto': dense (exact) up to DENSE_HESSIAN_LIMIT parameters, Lanczos and Hutchinson above. */
export type CurvatureMethod = 'auto' | 'dense' | 'iterative';

/** How one Hessian metric was computed, for run.json. */
export interface CurvatureReport {
  readonly metric: string;
  readonly kind: 'eigs' | 'trace';
  readonly method: string;
  /** Hessian-vector products at the last computation. */
  readonly products: number;
  /** Lanczos's relative residual bound, Hutchinson's standard error, 0 when exact. */
  readonly error: number;
}

/** The requests on one scalar, with its product plan. */
interface Group {
  readonly requests: readonly LoweredCurvature[];
  readonly buffers: readonly Float64Array[];
  readonly hvp: HessianVectorProduct;
  reports: CurvatureReport[];
}

export class CurvatureMetrics {
  /** The inputs the metric plan reads the results from, and their buffers. */
  readonly inputs: readonly Tensor[];
  readonly buffers: readonly Float64Array[];
  /** The product graphs' outputs (for the memory estimate). */
  readonly outputs: readonly Tensor[] = [];
  private readonly groups: readonly Group[];
  private readonly size: number;

  constructor(
    lowered: readonly LoweredCurvature[],
    descended: readonly LoweredParam[],
    /** The descended parameters' buffers (the program's), read for the probes' seed. */
    private readonly descendedBuffers: readonly Float64Array[],
    inputs: readonly Tensor[],
    inputBuffers: readonly Float64Array[],
    private readonly seed: number,
    private readonly method: CurvatureMethod = 'auto',
  ) {
    this.size = descended.reduce((s, p) => s + p.placeholder.size, 0);
    this.inputs = lowered.map((c) => c.placeholder);
    this.buffers = lowered.map((c) => new Float64Array(c.placeholder.size));
    const byValue = new Map<Tensor, number[]>();
    lowered.forEach((c, i) => byValue.set(c.value, [...(byValue.get(c.value) ?? []), i]));
    this.groups = [...byValue].map(([value, indices]) => {
      const plan = this.productPlan(value, descended, inputs, inputBuffers);
      return {
        requests: indices.map((i) => lowered[i]!),
        buffers: indices.map((i) => this.buffers[i]!),
        hvp: plan,
        reports: indices.map((i) => ({ metric: lowered[i]!.metric, kind: lowered[i]!.kind, method: 'not computed yet', products: 0, error: 0 })),
      };
    });
  }

  /** H v = ∇(∇e · v), reverse over reverse, as a plan with v among its inputs. */
  private productPlan(value: Tensor, descended: readonly LoweredParam[], inputs: readonly Tensor[], inputBuffers: readonly Float64Array[]): HessianVectorProduct {
    const xs = descended.map((p) => p.placeholder);
    const v = descended.map((p) => placeholder(p.shape, `direction of ${p.name}`));
    const g = backward(value, xs);
    const hv = backward(g.map((gi, i) => sum(mul(gi, v[i]!))).reduce((a, b) => add(a, b)), xs);
    (this.outputs as Tensor[]).push(...hv);
    const directions = descended.map((p) => new Float64Array(p.placeholder.size));
    const plan: Plan = planOf([...inputs, ...v], hv, { inputBuffers: [...inputBuffers, ...directions] });
    return (vec, out) => {
      let off = 0;
      for (const d of directions) {
        d.set(vec.subarray(off, off + d.length));
        off += d.length;
      }
      plan.execute();
      off = 0;
      for (const t of plan.outputs) {
        out.set(t.data, off);
        off += t.size;
      }
    };
  }

  /** Computes every Hessian metric at the current parameters (and current batch). */
  compute(): void {
    if (this.groups.length === 0) return;
    // seeded by the parameters' bits: the same state gives the same start vector and probes, so
    // a resumed run computes what an uninterrupted one did
    const options = { seed: `${this.seed}/curvature/${this.stateKey()}` };
    const n = this.size;
    for (const group of this.groups) {
      const maxK = Math.min(n, Math.max(1, ...group.requests.filter((r) => r.kind === 'eigs').map((r) => r.k)));
      if (this.method === 'dense' || (this.method === 'auto' && n <= DENSE_HESSIAN_LIMIT)) {
        // one dense Hessian serves every metric of this scalar
        const h = denseHessian(group.hvp, n);
        const ascending = symmetricEigenvalues(h, n);
        let trace = 0;
        for (let j = 0; j < n; j++) trace += h[j * n + j]!;
        group.requests.forEach((r, i) => {
          const out = group.buffers[i]!;
          if (r.kind === 'trace') out[0] = trace;
          else for (let j = 0; j < r.k; j++) out[j] = j < n ? ascending[n - 1 - j]! : NaN;
          group.reports[i] = { metric: r.metric, kind: r.kind, method: 'dense', products: n, error: 0 };
        });
        continue;
      }
      const eigs = group.requests.some((r) => r.kind === 'eigs') ? hessianEigs(group.hvp, n, maxK, { ...options, method: 'iterative' }) : undefined;
      const trace = group.requests.some((r) => r.kind === 'trace') ? hessianTrace(group.hvp, n, { ...options, method: 'iterative' }) : undefined;
      group.requests.forEach((r, i) => {
        const out = group.buffers[i]!;
        if (r.kind === 'trace') {
          out[0] = trace!.value;
          group.reports[i] = { metric: r.metric, kind: r.kind, method: trace!.method, products: trace!.products, error: trace!.standardError };
        } else {
          for (let j = 0; j < r.k; j++) out[j] = j < maxK ? eigs!.values[j]! : NaN;
          group.reports[i] = { metric: r.metric, kind: r.kind, method: eigs!.method, products: eigs!.products, error: eigs!.relativeError };
        }
      });
    }
  }

  report(): readonly CurvatureReport[] {
    return this.groups.flatMap((g) => g.reports);
  }

  /** A 32-bit FNV-1a hash of the descended parameters' bytes. */
  private stateKey(): number {
    let h = 0x811c9dc5;
    for (const p of this.descendedBuffers) {
      const bytes = new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
      for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
    }
    return h;
  }
}
