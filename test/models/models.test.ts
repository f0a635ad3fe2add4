// The prebuilt models: each compiles, its gradient at the initial point matches central
// differences, and its CI-scale run (models.json) passes its claims.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSource, formatDiagnostics, gradientCheck, type CompileOptions, type Program } from '@descent/dsl';
import { evaluateClaims } from '../../packages/cli/src/claims.js';
import { toSpec } from '../../packages/cli/src/setup.js';
import { toClaim } from '../../packages/cli/src/summary.js';
import type { LogRecord } from '../../packages/cli/src/runlog.js';
import { train } from '../../packages/cli/src/train.js';

interface CiSettings {
  readonly steps?: number;
  /** Run at each of these seeds (default: the file's). */
  readonly seeds?: readonly number[];
  readonly set?: Readonly<Record<string, number>>;
  readonly expect?: CompileOptions['expect'];
}

interface ModelEntry {
  readonly name: string;
  readonly file: string;
  readonly description: string;
  readonly ci: CiSettings;
  /** Claims (without the `claim` keyword) that replace the file's claims at CI scale. */
  readonly ciClaims?: readonly string[];
}

const dir = fileURLToPath(new URL('../../packages/models/', import.meta.url));
const manifest = JSON.parse(readFileSync(`${dir}models.json`, 'utf8')) as { models: ModelEntry[] };

function compileOk(source: string, file: string, options: CompileOptions = {}): Program {
  const r = compileSource(source, { file, ...options });
  if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics, source));
  return r.program;
}

/** The worst relative gradient error (per parameter, against central differences) at the initial point. */
function gradientError(p: Program, seed: number): number {
  p.initialize();
  return Math.max(...gradientCheck(p, seed).map((c) => c.relError));
}

describe('models.json', () => {
  it('lists every .loss file in packages/models exactly once', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.loss')).sort();
    expect(manifest.models.map((m) => m.file).sort()).toEqual(files);
    expect(new Set(manifest.models.map((m) => m.name)).size).toBe(manifest.models.length);
  });
});

describe.each(manifest.models)('$name', (entry) => {
  const file = `${dir}${entry.file}`;
  const source = readFileSync(file, 'utf8');

  it('compiles, opens with a comment block and carries claims', () => {
    const p = compileOk(source, file);
    expect(source.startsWith('# ')).toBe(true);
    expect(p.claims.length).toBeGreaterThan(0);
  });

  it('has a gradient at the initial point that matches central differences (sampling fixed)', () => {
    const plain = compileOk(source, file, { overrides: entry.ci.set ?? {} });
    const fresh = plain.settings.expect.kind === 'samples' && plain.settings.expect.fresh;
    // fix the batch only where the file samples afresh: `fresh: false` on a quadrature file
    // would turn it into Monte Carlo
    const p = fresh ? compileOk(source, file, { overrides: entry.ci.set ?? {}, expect: { ...entry.ci.expect, fresh: false } }) : plain;
    expect(gradientError(p, 1)).toBeLessThan(1e-6);
  });

  it.each((entry.ci.seeds ?? [undefined]).map((seed) => ({ seed })))('passes its claims at CI scale (seed $seed)', ({ seed }) => {
    const options: CompileOptions = { overrides: entry.ci.set ?? {}, ...(entry.ci.expect ? { expect: entry.ci.expect } : {}), ...(seed !== undefined ? { seed } : {}) };
    const p = compileOk(source, file, options);
    const claims = entry.ciClaims
      ? compileOk(`${source}\n${entry.ciClaims.map((c) => `claim ${c}`).join('\n')}\n`, file, options).claims.slice(p.claims.length)
      : p.claims;
    // the file's own optimizer (gd, or flow for the gradient-flow statements)
    const opt = p.settings.optimizer;
    expect(['gd', 'flow']).toContain(opt.name);
    const records: LogRecord[] = [];
    const result = train({
      program: p,
      optimizer: toSpec({ name: opt.name, args: opt.args }),
      steps: entry.ci.steps ?? p.settings.steps,
      logCount: p.settings.log,
      onRecord: (r) => records.push(r),
    });
    expect(result.status).toBe('completed');
    const { results, allPass } = evaluateClaims(claims.map(toClaim), records);
    expect(allPass, results.map((r) => r.text).join('\n')).toBe(true);
  });
});
