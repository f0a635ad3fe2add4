// Honest exit codes: bad settings, failing optimizers, read-only folders, sweeps and dead runs, unbounded inputs.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, descent, env, fixture, readRunJson, scratch, STACK } from './helpers.js';

const cwd = scratch('descent-exit-');

/** Exit 2, one paragraph naming `what`, no stack, no internal error. */
function expectUsage(r: { code: number | null; stderr: string }, what: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(what);
  expect(r.stderr).not.toMatch(STACK);
  expect(r.stderr).not.toMatch(/internal error/);
}

describe('bad optimizer settings: exit 2 before anything is written, in check too', () => {
  it.each([
    [['--set', 'lr=-1'], /gd\(lr=-1\): lr must be positive, got -1/],
    [['--optimizer', 'adam', '--set', 'beta1=5'], /adam\(lr=0\.05, beta1=5, beta2=0\.999, eps=1e-8\): beta1 must be in \[0, 1\), got 5/],
    [['--optimizer', 'flow', '--set', 'dt=-1'], /flow\(dt=-1\): dt must be positive, got -1/],
    [['--optimizer', 'momentum', '--set', 'beta=1'], /beta must be in \[0, 1\), got 1/],
  ])('%j', (flags, message) => {
    const out = path.join(cwd, `bad-${flags.join('')}`);
    expectUsage(descent(['run', fixture('quartic'), ...flags, '--out', out], { cwd }), message);
    expect(fs.existsSync(out)).toBe(false);
    const check = descent(['check', fixture('quartic'), ...flags.filter((f) => f !== '--optimizer' && !['adam', 'flow', 'momentum'].includes(f))], { cwd });
    if (flags[0] === '--set' && flags[1] === 'lr=-1') {
      expectUsage(check, message);
      expect(check.stdout).not.toMatch(/all is well/);
    }
  });
});

describe('failures during a run: exit 2 and run.json "failed" with the reason', () => {
  it('flow on abs(w): the substep underflows; exit 2 with a hint, run.json "failed"', () => {
    const model = path.join(cwd, 'abs.loss');
    fs.writeFileSync(model, 'param w[2] ~ normal(0, 1)\nloss = sum_i abs(w[i])\noptimizer flow(dt = 0.1)\nsteps 100\n');
    const r = descent(['run', model, '--out', 'abs', '--quiet'], { cwd });
    expectUsage(r, /the optimizer failed at step \d+: flow: .*run\.json is marked "failed"\. Gradient flow needs a loss that is smooth/);
    const j = readRunJson(path.join(cwd, 'abs'));
    expect(j['status']).toBe('failed');
    expect(j['failure']['reason']).toMatch(/flow:/);
    expect(j['failure']['step']).toBeGreaterThanOrEqual(0);
  });

  it('an --out on a read-only file system: exit 2 saying so (not ENOENT)', () => {
    if (process.getuid?.() !== 0) throw new Error('this test mounts a read-only tmpfs and must run as root (CI does)');
    const ro = path.join(cwd, 'ro');
    fs.mkdirSync(ro);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', ro]);
    try {
      expectUsage(descent(['run', fixture('quartic'), '--out', path.join(ro, 'sub', 'x')], { cwd }), /cannot write to --out .*ro\/sub\/x: the file system is read-only\./);
      expectUsage(descent(['run', fixture('quartic'), '--out', ro], { cwd }), /cannot write to .*ro: the file system is read-only/);
    } finally {
      execFileSync('umount', [ro]);
    }
  });
});

describe('sweeps and collect: non-zero when an entry failed, diverged or died', () => {
  it('a sweep with a diverging entry exits 3; every entry is run', () => {
    const r = descent(['sweep', fixture('quartic'), '--set', 'lr=0.05,5', '--steps', '200', '--out', 'sw-div', '--jobs', '1', '--quiet'], { cwd });
    expect(r.code, r.stderr).toBe(3);
    const csv = fs.readFileSync(path.join(cwd, 'sw-div', 'summary.csv'), 'utf8');
    expect(csv).toMatch(/,completed,/);
    expect(csv).toMatch(/,diverged,/);
  });

  it('a sweep with lr=-1 among its values is refused before anything runs', () => {
    expectUsage(descent(['sweep', fixture('quartic'), '--set', 'lr=0.05,-1', '--out', 'sw-neg'], { cwd }), /gd\(lr=-1\): lr must be positive/);
    expect(fs.existsSync(path.join(cwd, 'sw-neg'))).toBe(false);
  });

  it('a sweep whose entry fails mid-run goes on with the others and exits 2; the entry is "failed"', () => {
    const model = path.join(cwd, 'absn.loss');
    // k = 0: a smooth quadratic (flow completes); k = 1: abs() too (flow's substep underflows)
    fs.writeFileSync(model, 'let k = 0\nparam w[2] ~ normal(0, 1)\nloss = sum_i w[i]^2 + k * sum_i abs(w[i])\noptimizer flow(dt = 0.1)\nsteps 50\n');
    const r = descent(['sweep', model, '--set', 'k=0,1', '--out', 'sw-fail', '--jobs', '2'], { cwd });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/k=1: failed: descent sweep: the optimizer failed at step \d+/);
    const c = descent(['collect', 'sw-fail'], { cwd });
    expect(c.code).toBe(2);
    expect(c.stdout).toMatch(/failed: 1_k=1: descent sweep: the optimizer failed/);
    expect(fs.readFileSync(path.join(cwd, 'sw-fail', 'summary.csv'), 'utf8')).toMatch(/\n0,0_k=0,0,,completed,/);
  });

  it('a killed sweep: collect reports its "running" entry as dead and exits 2', async () => {
    const dir = path.join(cwd, 'sw-killed');
    const child = spawn(process.execPath, [cli, 'sweep', fixture('forever'), '--set', 'n=1,2', '--out', dir, '--jobs', '1', '--quiet'], { cwd, env: env() });
    const runJson = path.join(dir, '0_n=1', 'run.json');
    for (let i = 0; i < 3000 && !fs.existsSync(runJson); i++) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    expect(readRunJson(path.join(dir, '0_n=1'))['status']).toBe('running');
    const c = descent(['collect', dir], { cwd });
    expect(c.code).toBe(2);
    expect(c.stdout).toMatch(/dead: 0_n=1: run\.json says running, but no process holds the folder \(killed\?\); continue it with descent resume/);
    expect(fs.readFileSync(path.join(dir, 'summary.csv'), 'utf8')).toMatch(/\n0,0_n=1,1,,dead,/);
  });

  it('a plan of 9 million entries is refused at once', () => {
    const r = descent(['sweep', fixture('quartic'), '--seeds', '1-90000', '--set', `lr=${Array.from({ length: 100 }, (_, i) => (i + 1) / 1000).join(',')}`, '--out', 'huge'], { cwd });
    expectUsage(r, /the sweep has 9,000,000 runs \(100 values of lr × 90000 seeds\), more than the 1,000,000 one sweep may hold/);
  });
});

describe('inputs read with a bound: devices and FIFOs refused', () => {
  /** `descent ARGS` in a process that reports its peak resident memory (kB) after main returns. */
  function measured(args: readonly string[]): { code: number; stderr: string; maxRssKb: number; ms: number } {
    const mainUrl = new URL(`file://${cli}`).href;
    const script = `const { main } = await import(${JSON.stringify(mainUrl)}); const t = performance.now(); const code = await main(${JSON.stringify(args)}); process.stdout.write(JSON.stringify({ code, ms: performance.now() - t, maxRssKb: process.resourceUsage().maxRSS }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd, env: env(), encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const { code, ms, maxRssKb } = JSON.parse(out) as { code: number; ms: number; maxRssKb: number };
    return { code, stderr: '', maxRssKb, ms };
  }

  it('--params /dev/zero is refused at once with bounded memory (before: read without bound)', () => {
    const r = descent(['eval', fixture('quartic'), '--params', '/dev/zero'], { cwd });
    expectUsage(r, /^descent eval: cannot read --params \/dev\/zero: it is a character device, not a regular file\.\n$/);
    const m = measured(['eval', fixture('quartic'), '--params', '/dev/zero']);
    expect(m.code).toBe(2);
    // the whole command (compile included) in one process; an unbounded read reaches gigabytes in seconds
    expect(m.maxRssKb).toBeLessThan(400_000);
    console.log(`--params /dev/zero: refused in ${m.ms.toFixed(0)} ms of main(), peak RSS ${(m.maxRssKb / 1024).toFixed(0)} MiB`);
  });

  it('a FIFO as --params or --claims is refused without waiting for a writer', () => {
    const fifo = path.join(cwd, 'p.fifo');
    execFileSync('mkfifo', [fifo]);
    expectUsage(descent(['eval', fixture('quartic'), '--params', fifo], { cwd }), /cannot read --params .*p\.fifo: it is a FIFO \(named pipe\), not a regular file/);
    expectUsage(descent(['verify', fixture('quartic'), '--claims', fifo, '--out', 'v-fifo'], { cwd }), /cannot read --claims .*p\.fifo: it is a FIFO/);
    expectUsage(descent(['verify', fixture('quartic'), '--claims', '/dev/zero', '--out', 'v-zero'], { cwd }), /cannot read --claims \/dev\/zero: it is a character device/);
  });

  it('plot and collect: a log symlinked to /dev/zero is refused (plot) or skipped (collect), never read', () => {
    const dir = path.join(cwd, 'zero-log');
    expect(descent(['run', fixture('quartic'), '--steps', '20', '--out', dir, '--quiet'], { cwd }).code).toBe(0);
    fs.rmSync(path.join(dir, 'log.jsonl'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'log.jsonl'));
    expectUsage(descent(['plot', dir, '--out', path.join(cwd, 'z.svg')], { cwd }), /cannot read .*zero-log\/log\.jsonl: it is a character device, not a regular file/);
    const sw = path.join(cwd, 'sw-zero');
    expect(descent(['sweep', fixture('quartic'), '--set', 'n=1,2', '--steps', '20', '--out', sw, '--quiet'], { cwd }).code).toBe(0);
    const log = path.join(sw, '0_n=1', 'log.jsonl');
    fs.rmSync(log);
    fs.symlinkSync('/dev/zero', log);
    const c = descent(['collect', sw], { cwd });
    expect(c.code).toBe(0);
    expect(c.stderr).not.toMatch(STACK);
  });
});
