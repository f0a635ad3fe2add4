// program.ts's fresh sampling: each step's batch comes from the bulk stream `<seed>/samples`, its
// state continues a run exactly (on any backend), and fixed samples keep the one-at-a-time stream.
import { afterEach, describe, expect, it } from 'vitest';
import { BulkRandom, kernelBackend, kernelBackends, Random, setKernelBackend } from '../../packages/autodiff/src/index.js';
import { compileSource } from '../../packages/dsl/src/index.js';

const initial = kernelBackend('randomNormal');
afterEach(() => setKernelBackend('randomNormal', initial));

const source = (mode: string): string => `dim d = 3
param m[d] ~ normal(0, 1)
sample x[d] ~ normal(0, 1)
sample k ~ categorical([0.2, 0.3, 0.5])
expect ${mode}
loss = 0.5 * E[|m - x|^2 + k]
optimizer gd(lr = 0.1)`;

function program(mode: string, seed = 4) {
  const r = compileSource(source(mode), { file: 'program.test.loss', seed });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return r.program;
}

describe('fresh sampling', () => {
  it('draws each batch from the bulk stream <seed>/samples: normals, then category codes, in declaration order', () => {
    const p = program('samples(5, fresh)');
    const rng = new BulkRandom('4/samples');
    const [x, k] = p.currentBatch().map((b) => Array.from(b));
    expect(x).toEqual(Array.from(rng.fillNormal(new Float64Array(15))));
    expect(k).toEqual(Array.from(rng.fillCategorical(new Float64Array(5), Float64Array.of(0.2, 0.3, 0.5))));
    p.resample();
    expect(Array.from(p.currentBatch()[0]!)).toEqual(Array.from(rng.fillNormal(new Float64Array(15))));
  });

  it('a saved sample state continues with the batches of the uninterrupted run, whatever backend draws them', () => {
    const whole = program('samples(200, fresh)');
    const batches: number[][] = [];
    for (let s = 0; s < 6; s++) {
      whole.resample();
      batches.push(Array.from(whole.currentBatch()[0]!));
    }
    for (const backend of kernelBackends('randomNormal')) {
      const first = program('samples(200, fresh)');
      for (let s = 0; s < 3; s++) first.resample();
      const state = JSON.parse(JSON.stringify(first.sampleState())) as ReturnType<typeof first.sampleState>;
      const batch = first.currentBatch().map((b) => Float64Array.from(b));
      setKernelBackend('randomNormal', backend);
      const resumed = program('samples(200, fresh)');
      resumed.restoreSampleState(state, batch);
      expect(Array.from(resumed.currentBatch()[0]!)).toEqual(batches[2]);
      for (let s = 3; s < 6; s++) {
        resumed.resample();
        expect(Array.from(resumed.currentBatch()[0]!), `${backend}, batch ${s}`).toEqual(batches[s]);
      }
    }
  });

  it('fixed samples keep the xor4096 stream <seed>/fixed-samples (their numbers do not depend on the bulk generator)', () => {
    const r = compileSource('dim d = 3\nparam m[d] ~ normal(0, 1)\nsample x[d] ~ normal(0, 1)\nexpect samples(4)\nloss = 0.5 * E[|m - x|^2]', { file: 'fixed.loss', seed: 4 });
    if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
    const p = r.program;
    expect(p.freshSampling).toBe(false);
    p.params[0]!.fill(0);
    const x = new Random('4/fixed-samples').randn([4, 3]).data;
    let want = 0;
    for (let i = 0; i < 12; i++) want += x[i]! * x[i]!;
    expect(p.evaluate().objective).toBeCloseTo((0.5 * want) / 4, 12);
  });
});
