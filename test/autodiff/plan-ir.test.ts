// The IR of every prebuilt model's and every bench model's plans, against golden files: a change to
// the compiler that changes what a model compiles to shows here, line by line.
// Regenerate (and review the diff) with: UPDATE_PLANS=1 npx vitest run test/autodiff/plan-ir.test.ts
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSource } from '@descent/dsl';
import type { Plan } from '@descent/autodiff';

const root = fileURLToPath(new URL('../../', import.meta.url));
const goldens = fileURLToPath(new URL('./fixtures/plans/', import.meta.url));
const update = process.env['UPDATE_PLANS'] === '1';

/** Node ids renumbered in order of first appearance: ids count every tensor the process made before. */
function normalized(dump: string): string {
  const ids = new Map<string, number>();
  return dump.replace(/%(\d+)/g, (_, id: string) => {
    if (!ids.has(id)) ids.set(id, ids.size);
    return `%${ids.get(id)!}`;
  });
}

interface Model {
  readonly name: string;
  readonly source: string;
  readonly overrides?: Record<string, number>;
}

function models(): Model[] {
  const found: Model[] = [];
  const prebuilt = path.join(root, 'packages/models');
  for (const f of fs.readdirSync(prebuilt).filter((f) => f.endsWith('.loss')).sort()) {
    found.push({ name: `models-${f.replace(/\.loss$/, '')}`, source: fs.readFileSync(path.join(prebuilt, f), 'utf8') });
  }
  // bench/peers.mjs: each problem at its smallest size (the plan's structure is the same at every size)
  const peers = path.join(root, 'bench/peers');
  const spec = JSON.parse(fs.readFileSync(path.join(peers, 'problems.json'), 'utf8')) as { lr: number; sizes: [string, string, Record<string, number>][] };
  const files: Record<string, string[]> = { P1: ['p1.loss'], P1c: ['p1c.loss'], P2: ['p2.loss'], P3: ['p3.loss', 'p3-grad.loss'], P4: ['p4.loss'],
    P5: ['p5.loss', 'p5-fixed.loss'], P6: ['p6.loss'] };
  for (const [problem, files_] of Object.entries(files)) {
    const [, size, dims] = spec.sizes.find(([p]) => p === problem)!;
    for (const f of files_) {
      found.push({ name: `peers-${f.replace(/\.loss$/, '')}-${size}`, source: fs.readFileSync(path.join(peers, f), 'utf8'), overrides: { ...dims, lr: spec.lr } });
    }
  }
  // bench/dsl.mjs: the LANGUAGE.md examples
  const md = fs.readFileSync(path.join(root, 'test/fixtures/language/LANGUAGE.md'), 'utf8');
  const blocks = [...md.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => /^\s*(loss|maximize)\b/m.test(b));
  blocks.forEach((source, i) => found.push({ name: `language-example-${i}`, source }));
  return found;
}

/** The dumps of a compiled program's plans (evaluation, metrics, schedule), each under its name. */
function planText(model: Model): string {
  const r = compileSource(model.source, { file: `${model.name}.loss`, ...(model.overrides ? { overrides: model.overrides } : {}) });
  if (!r.ok) throw new Error(`${model.name} does not compile: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  // the plans are the Program's own (private) fields: read them as the runtime has them
  const program = r.program as unknown as Record<string, Plan | null>;
  return ['evalPlan', 'metricPlan', 'schedulePlan']
    .map((field) => {
      const plan = program[field];
      return plan ? `## ${field}\n${normalized(plan.dump())}\n` : `## ${field}: none\n`;
    })
    .join('\n');
}

describe('the IR of every prebuilt and bench model is what the golden file holds', () => {
  it.each(models().map((m) => [m.name, m] as const))('%s', (name, model) => {
    const text = planText(model);
    const file = path.join(goldens, `${name}.txt`);
    if (update) fs.writeFileSync(file, text);
    expect(text).toBe(fs.readFileSync(file, 'utf8'));
  });
});
