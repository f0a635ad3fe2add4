// End to end: the built CLI, `descent verify`, passes on every prebuilt model at its CI scale.
//
// The scale comes from packages/models/models.json (`ci`): `--steps N`, `--set NAME=VALUE`,
// `--samples N`/`--fresh`/`--quadrature K`; a model whose file claims look beyond that horizon has
// `ciClaims`, which are written to a claims file and checked with `descent verify --claims FILE`
// instead of the file's own claims. The file's own claims hold at the full settings, which
// `pnpm reproduce` runs (docs/reproductions.md). Each test's name is the exact command line.
// The CI scale, as models.json gives it today:
//   relu-neuron, relu-neuron-exact, relu-neuron-mc, relu-neuron-flow, matrix-factorization(-complex),
//   gradient-em-exact: full settings (each under 3 s)
//   gradient-em, gradient-em-unequal: --steps 10000 (of 1e5), ciClaims
//   gradient-em-trap: --steps 1e5 (of 1e6), ciClaims (the stall, not the escape)
//   gradient-em-sampled: --samples 512 (of 2048)
//   gradient-em-mixture: --steps 400 --samples 2048 (of 2000, 8192); gradient-em-mixture-m3 the same, ciClaims
//   score-matching(-near): --steps 2000 --samples 1000 (of 2e4, 5000) with ciClaims
//   score-matching-small-init: --steps 2500 --samples 1000, ciClaims
//   score-matching-counterexample: --steps 1000 --samples 1000
//   score-matching-counterexample-small: --steps 3000 --samples 1000 (of 5000, 5000)
//   score-matching-large-noise: --steps 10000 (of 1e5), ciClaims
//   matrix-factorization-theorem: --steps 120000 (of 1e6) at seed 6, which converges by then
//   matrix-factorization-balanced: --steps 800 (of 3000) at seeds 0 (det W(0) < 0) and 3 (> 0)
//   edge-of-stability: full settings, at seeds 0, 1, 2 and 3 (~4 s each)
// Two verifications run at a time (two cores); about 30 s in all.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

interface ModelEntry {
  readonly name: string;
  readonly file: string;
  readonly ci: {
    readonly steps?: number;
    readonly set?: Readonly<Record<string, number>>;
    readonly expect?: { readonly samples?: number; readonly fresh?: boolean; readonly quadrature?: number };
    /** Verify at each of these seeds (one entry each), not only the file's. */
    readonly seeds?: readonly number[];
  };
  readonly ciClaims?: readonly string[];
  /** The seed of this entry, when models.json lists several. */
  readonly seed?: number;
}

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

interface VerifyJson {
  readonly pass: boolean;
  readonly models: readonly {
    readonly model: string;
    readonly summary: { readonly status: string; readonly claims: readonly { readonly claim: string; readonly measured: number; readonly pass: boolean }[] };
  }[];
}

const repo = fileURLToPath(new URL('../../', import.meta.url));
const cli = path.join(repo, 'packages/cli/dist/main.js');
const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'packages/models/models.json'), 'utf8')) as { models: ModelEntry[] };
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'descent-verify-models-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** The CI-scale flags of a model, from models.json. */
function ciFlags(m: ModelEntry): string[] {
  const f: string[] = [];
  if (m.ci.steps !== undefined) f.push('--steps', String(m.ci.steps));
  for (const [k, v] of Object.entries(m.ci.set ?? {})) f.push('--set', `${k}=${v}`);
  const e = m.ci.expect ?? {};
  if (e.samples !== undefined) f.push('--samples', String(e.samples));
  if (e.fresh) f.push('--fresh');
  if (e.quadrature !== undefined) f.push('--quadrature', String(e.quadrature));
  if (m.ciClaims) f.push('--claims', `${m.name}.claims`);
  if (m.seed !== undefined) f.push('--seed', String(m.seed));
  return f;
}

/** One entry per model, or one per listed seed. */
const entries: ModelEntry[] = manifest.models.flatMap((m) => (m.ci.seeds ? m.ci.seeds.map((seed) => ({ ...m, seed })) : [m]));
const keyOf = (m: ModelEntry): string => (m.seed === undefined ? m.name : `${m.name}@${m.seed}`);

/** `descent verify NAME <ci flags>`, in a scratch folder holding the claims file if any. */
function verify(m: ModelEntry): Promise<Outcome> {
  const cwd = fs.mkdtempSync(path.join(work, `${m.name}-`));
  if (m.ciClaims) fs.writeFileSync(path.join(cwd, `${m.name}.claims`), `# ${m.name} at CI scale (models.json ciClaims)\n${m.ciClaims.map((c) => `claim ${c}`).join('\n')}\n`);
  const args = [cli, 'verify', m.name, ...ciFlags(m), '--out', 'v', '--json'];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    // the real prebuilt models: DESCENT_MODELS must not point at the CLI tests' fixtures
    const env = { ...process.env };
    delete env['DESCENT_MODELS'];
    delete env['DESCENT_DEBUG'];
    const child = spawn(process.execPath, args, { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

/** Starts every verification now, at most `jobs` at a time; the promises resolve in any order. */
function pool(models: readonly ModelEntry[], jobs: number): Map<string, Promise<Outcome>> {
  const out = new Map<string, Promise<Outcome>>();
  let running = 0;
  const waiting: (() => void)[] = [];
  for (const m of models) {
    out.set(
      keyOf(m),
      (async () => {
        if (running >= jobs) await new Promise<void>((r) => waiting.push(r));
        running++;
        try {
          return await verify(m);
        } finally {
          running--;
          waiting.shift()?.();
        }
      })(),
    );
  }
  return out;
}

const outcomes = pool(entries, 2);

describe('descent verify on every prebuilt model at CI scale', () => {
  it.each(entries.map((m) => [`descent verify ${m.name} ${ciFlags(m).join(' ')}`.trim(), m] as const))('%s', async (_, m) => {
    const o = await outcomes.get(keyOf(m))!;
    const detail = `${o.stderr}\n${o.stdout}`;
    expect(o.code, detail).toBe(0);
    const j = JSON.parse(o.stdout) as VerifyJson;
    expect(j.pass).toBe(true);
    expect(j.models).toHaveLength(1);
    const { summary } = j.models[0]!;
    expect(summary.status).toBe('completed');
    // the claims checked are the ciClaims when given (not the file's), and there are some
    if (m.ciClaims) expect(summary.claims.map((c) => c.claim)).toEqual([...m.ciClaims]);
    expect(summary.claims.length).toBeGreaterThan(0);
    for (const c of summary.claims) expect(c.pass, `${c.claim}: measured ${c.measured}`).toBe(true);
    expect(o.seconds).toBeLessThan(60);
  }, 180_000);
});

describe('descent verify --claims', () => {
  it('a claims line that is not a claim, or names no metric of the model, is refused with exit 2', async () => {
    const m: ModelEntry = { name: 'relu-neuron-exact', file: '', ci: { steps: 10 }, ciClaims: ['final(nope) < 1'] };
    const o = await verify(m);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/the claims of --claims relu-neuron-exact\.claims do not compile against relu-neuron-exact/);
    expect(o.stderr).toMatch(/unknown series `nope`/);
    expect(o.stderr).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
  });

  it('replaces the file claims: a failing replacement fails the model with exit 1', async () => {
    const m: ModelEntry = { name: 'relu-neuron-exact', file: '', ci: {}, ciClaims: ['final(loss) > 1'] };
    const o = await verify(m);
    expect(o.code).toBe(1);
    const j = JSON.parse(o.stdout) as VerifyJson;
    expect(j.models[0]!.summary.claims.map((c) => c.claim)).toEqual(['final(loss) > 1']);
  });
});
