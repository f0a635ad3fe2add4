// The packages as a user gets them: `pnpm pack` each, install the tarballs into an empty folder with
// plain npm (from the registry for their dependencies), and use them there: import and require,
// tsc --strict, `npx descent models`, `npx descent run relu-neuron`, the native addon's build.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = ['autodiff', 'dsl', 'models', 'cli'] as const;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'descent-packaging-'));
const tarballs = path.join(work, 'tarballs');
const app = path.join(work, 'app');

/** pnpm as this process was started by (`pnpm test:packaging`), else the pinned one through npx. */
function pnpm(): [string, string[]] {
  const exec = process.env['npm_execpath'];
  if (!exec || !/pnpm/.test(exec)) return ['npx', ['-y', 'pnpm@12.4.2']];
  // a script (pnpm.cjs) runs with node; pnpm's own executable runs as it is
  return /\.[cm]?js$/.test(exec) ? [process.execPath, [exec]] : [exec, []];
}

function sh(cmd: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  // without the workspace's own variables, as a user's shell would run it
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|PNPM_|pnpm_|INIT_CWD|VITEST)/.test(k)));
  return spawnSync(cmd, args, { cwd, env: { ...clean, ...env }, encoding: 'utf8', timeout: 300_000 });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

let installLog = '';
const contents = new Map<string, string[]>();

beforeAll(() => {
  fs.mkdirSync(tarballs);
  fs.mkdirSync(app);
  const [cmd, pre] = pnpm();
  for (const p of PACKAGES) {
    ok(sh(cmd, [...pre, 'pack', '--pack-destination', tarballs], path.join(repo, 'packages', p)), `pnpm pack of packages/${p}`);
  }
  for (const f of fs.readdirSync(tarballs)) contents.set(f, execFileSync('tar', ['tzf', path.join(tarballs, f)], { encoding: 'utf8' }).trim().split('\n'));
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'descent-user', private: true, type: 'module' }));
  const files = fs.readdirSync(tarballs).map((f) => path.join(tarballs, f));
  const r = sh('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', ...files, 'typescript@5.9.3', '@types/node@20.19.43'], app);
  installLog = `${r.stdout}\n${r.stderr}`;
  ok(r, 'npm install of the tarballs');
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('the packed tarballs', () => {
  it('each carry the licence, and what they need: the native sources and build script, the grammar, the models', () => {
    const of = (name: string): string[] => [...contents].find(([f]) => f.includes(name))![1];
    for (const p of PACKAGES) expect(of(`descent-${p}-`), p).toContain('package/LICENSE');
    expect(of('descent-autodiff-')).toEqual(expect.arrayContaining(['package/native/addon.c', 'package/native/native.h', 'package/scripts/build-native.mjs', 'package/dist/index.js', 'package/dist/index.d.ts']));
    expect(of('descent-autodiff-').some((f) => f.endsWith('.node'))).toBe(false); // built for the installing machine, never shipped
    expect(of('descent-dsl-')).toEqual(expect.arrayContaining(['package/grammar/descent.ohm', 'package/dist/grammar-embedded.js']));
    expect(of('descent-models-')).toEqual(expect.arrayContaining(['package/relu-neuron.loss', 'package/models.json']));
    expect(of('descent-cli-')).toContain('package/dist/main.js');
    // descent view's page and the charting library it draws with, bundled at build time (no network at run time)
    expect(of('descent-cli-')).toEqual(expect.arrayContaining(['package/dist/view/static/index.html', 'package/dist/view/static/app.js', 'package/dist/view/static/uPlot.iife.min.js', 'package/dist/view/static/uPlot.LICENSE']));
  });

  it('carry licence, repository, engines, files and an exports map with types, import and default', () => {
    for (const p of PACKAGES) {
      const pkg = JSON.parse(fs.readFileSync(path.join(app, 'node_modules/@descent', p, 'package.json'), 'utf8')) as Record<string, unknown>;
      expect(pkg, p).toMatchObject({ license: 'MIT', engines: { node: expect.any(String) }, files: expect.any(Array), repository: { type: 'git', url: expect.any(String) } });
      expect(pkg['private'], p).toBeUndefined();
      const dependencies = JSON.stringify(pkg['dependencies'] ?? {});
      expect(dependencies, p).not.toMatch(/workspace:/);
      if (p === 'models') continue;
      // (the dsl's also names its browser entry for bundlers: { browser: './dist/browser.js' })
      expect((pkg['exports'] as Record<string, unknown>)['.'], p).toMatchObject({ types: './dist/index.d.ts', import: './dist/index.js', default: './dist/index.js' });
    }
  });
});

describe('installed with npm into an empty folder', () => {
  it('import and require both load @descent/autodiff and @descent/dsl', () => {
    const esm = ok(sh(process.execPath, ['--input-type=module', '-e', `
      import { grad, tensor, sum, mul } from '@descent/autodiff';
      import { compileSource } from '@descent/dsl';
      const g = grad((x) => sum(mul(x, x)))(tensor([1, 2])).toArray();
      const r = compileSource('dim d = 2\\nparam w[d] ~ normal(0, 1)\\nloss = |w|^2\\n');
      console.log(JSON.stringify({ g: Array.from(g), ok: r.ok }));`], app), 'import');
    expect(JSON.parse(esm)).toEqual({ g: [2, 4], ok: true });
    // the subpath exports: the optimizers, and the dsl's browser entry with data passed in
    const sub = ok(sh(process.execPath, ['--input-type=module', '-e', `
      import { tensor } from '@descent/autodiff';
      import { adam, OPTIMIZER_KINDS } from '@descent/autodiff/optim';
      import { compile } from '@descent/dsl/browser';
      const p = compile('let X[2] = load("x.csv")\\nparam w[2] = 0\\nloss = sum_{i}((w[i] - X[i])^2)\\n', { data: { X: tensor([1, 2]) } });
      const opt = adam(p.parameters, { lr: 0.1 });
      for (let t = 0; t < 300; t++) opt.update(p.parameters, p.valueAndGrad()[1]);
      console.log(JSON.stringify({ kinds: OPTIMIZER_KINDS, w: Array.from(p.parameters.w.data, (v) => Math.round(v * 100) / 100) }));`], app), 'import of the subpaths');
    expect(JSON.parse(sub)).toEqual({ kinds: ['gd', 'momentum', 'adam', 'flow'], w: [1, 2] });
    const cjs = sh(process.execPath, ['-e', `
      const a = require('@descent/autodiff');
      const d = require('@descent/dsl');
      console.log(JSON.stringify({ grad: typeof a.grad, compileSource: typeof d.compileSource }));`], app);
    expect(ok(cjs, 'require').trim()).toBe('{"grad":"function","compileSource":"function"}');
    expect(cjs.stderr).toBe('');
  });

  it('a small TypeScript program type-checks with tsc --strict', () => {
    fs.writeFileSync(path.join(app, 'main.ts'), [
      "import { grad, tensor, sum, mul, type Tensor } from '@descent/autodiff';",
      "import { compileSource, type CompileResult } from '@descent/dsl';",
      'const f = (x: Tensor): Tensor => sum(mul(x, x));',
      'const g: Tensor = grad(f)(tensor([1, 2]));',
      "const r: CompileResult = compileSource('dim d = 2\\nparam w[d] ~ normal(0, 1)\\nloss = |w|^2\\n');",
      'if (r.ok) console.log(g.toArray(), r.program.parameterCount);',
      '',
    ].join('\n'));
    const r = sh(process.execPath, [path.join(app, 'node_modules/typescript/bin/tsc'), '--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', 'main.ts'], app);
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });

  it('npx descent models lists the prebuilt models', () => {
    const out = ok(sh('npx', ['descent', 'models'], app), 'npx descent models');
    for (const name of ['relu-neuron', 'gradient-em', 'score-matching', 'matrix-factorization']) expect(out).toMatch(new RegExp(`^${name}\\b`, 'm'));
  });

  it('npx descent run relu-neuron completes', () => {
    const r = sh('npx', ['descent', 'run', 'relu-neuron', '--steps', '3000', '--out', 'runs/r', '--quiet'], app);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(fs.readFileSync(path.join(app, 'runs/r/run.json'), 'utf8')) as { status: string; model: { source: string }; versions: Record<string, string> };
    expect(j.status).toBe('completed');
    expect(j.model.source).toMatch(/relu_kernel/);
    expect(j.versions['@descent/dsl']).toBe('0.1.0');
  });

  it('the native addon built at install, or the install said in one line why not and the kernels say so accurately', () => {
    const status = JSON.parse(ok(sh(process.execPath, ['--input-type=module', '-e', "import { nativeStatus } from '@descent/autodiff'; console.log(JSON.stringify(nativeStatus));"], app), 'nativeStatus')) as { available: boolean; reason?: string };
    const lines = installLog.split('\n').filter((l) => l.startsWith('descent: native kernels'));
    if (status.available) expect(fs.existsSync(path.join(app, 'node_modules/@descent/autodiff/native/build/descent_native.node'))).toBe(true);
    else {
      // the reason names a script that is there
      const script = /not built \((\S+build-native\.mjs)/.exec(status.reason ?? '')?.[1];
      expect(script, status.reason).toBeDefined();
      expect(fs.existsSync(script!)).toBe(true);
    }
    // npm showed the build's line (or ran no install script at all, where scripts need approval)
    expect(lines.length <= 1 || lines.every((l) => l === lines[0])).toBe(true);
  });

  it('without a C compiler the build falls back in one line, exit 0', () => {
    const script = path.join(app, 'node_modules/@descent/autodiff/scripts/build-native.mjs');
    const r = sh(process.execPath, [script, '--force'], app, { CC: '/nonexistent/cc' });
    expect(r.status).toBe(0);
    const out = `${r.stdout}${r.stderr}`.trim().split('\n');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^descent: native kernels not built \(.*\); the WebAssembly kernels will be used$/);
  });
});
