// The README's MLP example (named parameters, library Adam) against the same model written positionally, start to finish.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { fmt } from './timing.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const DIST = {
  '@descent/autodiff': `${root}packages/autodiff/dist/index.js`,
  '@descent/autodiff/optim': `${root}packages/autodiff/dist/optim/index.js`,
  '@descent/dsl': `${root}packages/dsl/dist/index.js`,
};

/** examples/NAME.ts as an ES module importing the built packages (esbuild strips the types only). */
export async function transpileExample(name) {
  const out = `${root}bench/.generated/${name}.mjs`;
  mkdirSync(`${root}bench/.generated`, { recursive: true });
  const result = await build({
    entryPoints: [`${root}examples/${name}.ts`],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
    plugins: [{
      name: 'built-packages',
      setup(b) {
        b.onResolve({ filter: /^@descent\// }, (args) => ({ path: pathToFileURL(DIST[args.path]).href, external: true }));
      },
    }],
  });
  writeFileSync(out, result.outputFiles[0].text);
  return out;
}

/** Runs the module afresh (a new URL each time) with console.log silenced; returns ms and its exports. */
async function runOnce(file, k) {
  const log = console.log;
  console.log = () => {};
  try {
    const t0 = performance.now();
    const mod = await import(`${pathToFileURL(file).href}?run=${k}`);
    return { ms: performance.now() - t0, mod };
  } finally {
    console.log = log;
  }
}

export async function benchExamples() {
  console.log('\n## examples/ (the README MLP: 2000 Adam steps, compile, hvp, grad of grad; median of 15 runs, alternated)');
  const named = await transpileExample('mlp');
  const positional = await transpileExample('mlp-positional');
  const times = { named: [], positional: [] };
  let a, b;
  for (let k = 0; k < 16; k++) {
    const n = await runOnce(named, k);
    const p = await runOnce(positional, k);
    // the first run of each pays module loading and JIT warm-up of the library: not counted
    if (k > 0) {
      times.named.push(n.ms);
      times.positional.push(p.ms);
    }
    a = n.mod;
    b = p.mod;
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  let rel = 0;
  a.losses.forEach((l, i) => (rel = Math.max(rel, Math.abs(l - b.losses[i]) / Math.abs(b.losses[i]))));
  const mn = median(times.named);
  const mp = median(times.positional);
  console.log(`${'mlp.ts (named parameters, library adam)'.padEnd(44)} ${fmt(mn).padStart(10)} ms   (${fmt((mn * 1000) / 2000)} us/step incl. compile)`);
  console.log(`${'mlp-positional.ts (Adam inside the plan)'.padEnd(44)} ${fmt(mp).padStart(10)} ms   (${fmt((mp * 1000) / 2000)} us/step incl. compile)`);
  console.log(`${'named / positional'.padEnd(44)} ${fmt(mn / mp).padStart(10)} x    largest relative loss difference ${rel}`);

  // the strict-CSP fallback: the same example with every elementwise and reduction kernel interpreted
  const ad = await import(pathToFileURL(DIST['@descent/autodiff']).href);
  const interpreted = [];
  let c;
  ad.setKernelMode('interpreted');
  try {
    for (let k = 0; k < 6; k++) {
      const r = await runOnce(named, 100 + k);
      if (k > 0) interpreted.push(r.ms);
      c = r.mod;
    }
  } finally {
    ad.setKernelMode('generated');
  }
  const same = c.losses.every((l, i) => Object.is(l, a.losses[i]));
  const mi = median(interpreted);
  console.log(`${'mlp.ts, kernels interpreted (no new Function)'.padEnd(44)} ${fmt(mi).padStart(10)} ms   (${fmt(mi / mn)}x the generated kernels; losses ${same ? 'bit-identical' : 'DIFFER'})`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await benchExamples();
