// The native kernels are optional: the build step says why it skipped them and exits 0 (or 1 with
// --require), a failed compile leaves an earlier addon in place, and DESCENT_NATIVE=0 at run time
// falls back to the WebAssembly kernels.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../../packages/autodiff/scripts/build-native.mjs', import.meta.url));
const addon = fileURLToPath(new URL('../../../packages/autodiff/native/build/descent_native.node', import.meta.url));
const dist = new URL('../../../packages/autodiff/dist/index.js', import.meta.url).href;

function build(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('building the native kernels', () => {
  it('DESCENT_NATIVE=0 skips the build with one line and exit 0', () => {
    const r = build([], { DESCENT_NATIVE: '0' });
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^descent: native kernels not built \(DESCENT_NATIVE=0\); the WebAssembly kernels will be used\n$/);
  });

  it('a compiler that fails is reported, exit 0 (exit 1 with --require), and an earlier addon stays', () => {
    const before = existsSync(addon) ? statSync(addon).mtimeMs : undefined;
    const r = build(['--force'], { CC: '/nonexistent/cc' });
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/native kernels not built \(\/nonexistent\/cc failed: .+\)/);
    expect(build(['--force', '--require'], { CC: '/nonexistent/cc' }).status).toBe(1);
    expect(existsSync(addon) ? statSync(addon).mtimeMs : undefined).toBe(before);
  });

  it('DESCENT_NATIVE=0 at run time: the WebAssembly kernels are the default and the status says why', () => {
    const code = `import * as ad from '${dist}'; console.log(JSON.stringify([ad.kernelBackend('matmul'), ad.kernelBackend('softmax'), ad.kernelBackend('logsumexp'), ad.nativeStatus]));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, DESCENT_NATIVE: '0' } });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(['wasm', 'wasm', 'wasm', { available: false, reason: 'DESCENT_NATIVE=0' }]);
  });
});

describe('native kernels in worker threads', () => {
  it('two workers multiplying at the same time each get their own scratch (results equal the JS kernel)', async () => {
    const { Worker } = await import('node:worker_threads');
    const kernels = new URL('../../../packages/autodiff/dist/kernels/', import.meta.url).href;
    // each worker: 30 products [257, 300] x [300, 301] (several k chunks and row blocks) on the
    // native kernel, then each compared with the plain-JS kernel on the same operands
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      (async () => {
        const { kernelBackends, selectedKernel, setKernelBackend } = await import('${kernels}registry.js');
        if (!kernelBackends('matmul').includes('native')) return parentPort.postMessage({ skipped: true });
        const gemm = (g, a, b, c) => selectedKernel('matmul')(g, a, 0, b, 0, c, 0, false);
        const g = { m: 257, n: 301, k: 300, transA: false, transB: false };
        const operands = Array.from({ length: 30 }, (_, r) => [
          Float64Array.from({ length: g.m * g.k }, (_, i) => Math.sin(i * 0.37 + r + workerData)),
          Float64Array.from({ length: g.k * g.n }, (_, i) => Math.cos(i * 0.11 - r * workerData)),
        ]);
        // all the native products first, back to back (so the two workers' products overlap)
        setKernelBackend('matmul', 'native');
        const got = operands.map(([a, b]) => { const c = new Float64Array(g.m * g.n); gemm(g, a, b, c); return c; });
        setKernelBackend('matmul', 'js');
        let worst = 0;
        operands.forEach(([a, b], r) => {
          const ref = new Float64Array(g.m * g.n);
          gemm(g, a, b, ref);
          for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[r][i] - ref[i]));
        });
        parentPort.postMessage({ worst });
      })();`;
    const run = (seed: number) =>
      new Promise<{ worst?: number; skipped?: boolean }>((resolve, reject) => {
        const w = new Worker(code, { eval: true, workerData: seed });
        w.once('message', resolve);
        w.once('error', reject);
      });
    const results = await Promise.all([run(1), run(2)]);
    for (const r of results) {
      if (r.skipped) continue;
      expect(r.worst).toBeLessThan(1e-11);
    }
  });
});
