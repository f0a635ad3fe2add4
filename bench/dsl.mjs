// DSL benchmarks: compile time of every LANGUAGE.md example (after the grammar is loaded once).
import { readFileSync } from 'node:fs';
import { compileSource } from '../packages/dsl/dist/index.js';
import { row } from './timing.mjs';

export function benchDsl() {
  console.log('\n## @descent/dsl: compile time (parse, check, lower, plan)');
  const md = readFileSync(new URL('../test/fixtures/language/LANGUAGE.md', import.meta.url), 'utf8');
  const blocks = [...md.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => /^\s*(loss|maximize)\b/m.test(b));
  const names = ['relu-neuron', 'gradient-em', 'gradient-em-separated', 'score-matching', 'matrix-factorization'];
  const t0 = performance.now();
  compileSource('dim d = 1\nparam w[d] ~ normal(0, 1)\nloss = |w|^2');
  row('start-up (grammar load + first compile)', performance.now() - t0, 'ms');
  blocks.forEach((source, i) => {
    const times = [];
    for (let k = 0; k < 7; k++) {
      const s = performance.now();
      const r = compileSource(source, { file: `${names[i]}.loss` });
      times.push(performance.now() - s);
      if (!r.ok) throw new Error(`${names[i]} does not compile`);
    }
    times.sort((a, b) => a - b);
    row(`compile ${names[i] ?? i} (median of 7)`, times[3], 'ms');
  });
}
