// Runs that survive: SIGKILL at random moments then resume (bit-identical), SIGINT/SIGTERM, divergence, --force.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { liveHolder, LOCK_FILE } from '../../../packages/cli/src/lock.js';
import { cli, descent, descentInterrupted, env, fixture, logWithoutTimes, pool, readRunJson, rng, scratch, STACK } from './helpers.js';

interface Config {
  readonly name: string;
  readonly args: readonly string[];
}

// every optimizer, with a fixed sample and with a fresh batch each step; about 0.3-0.8 s of steps
const CONFIGS: readonly Config[] = (['gd', 'momentum', 'adam', 'flow'] as const).flatMap((o) => {
  const steps = o === 'flow' ? '60000' : '150000';
  const base = ['run', fixture('sampled'), '--optimizer', o, '--steps', steps, '--seed', '3', '--checkpoint-every', o === 'flow' ? '700' : '1500', '--quiet'];
  return [
    { name: `${o} fixed`, args: base },
    { name: `${o} fresh`, args: [...base, '--fresh'] },
  ];
});

interface Spawned {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  /** ms from the run folder's run.json appearing to the exit (or kill). */
  readonly ranMs: number;
}

/**
 * Spawns `descent ARGS`; once `dir/run.json` exists (the run has started) waits `killAfterMs` and
 * sends SIGKILL (never, when undefined).
 */
function spawnAndKill(args: readonly string[], dir: string, killAfterMs: number | undefined, cwd: string, waitFor = 'run.json'): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: env() });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    let startedAt = 0;
    const marker = path.join(dir, waitFor);
    const before = fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : -1;
    const poll = setInterval(() => {
      if (startedAt !== 0) return;
      if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs !== before) {
        startedAt = performance.now();
        if (killAfterMs !== undefined) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    }, 2);
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(guard);
      resolve({ code, signal, stderr, ranMs: startedAt === 0 ? 0 : performance.now() - startedAt });
    });
  });
}

/** Runs `descent resume DIR` to completion. */
function resume(dir: string, cwd: string, killAfterMs?: number): Promise<Spawned> {
  return spawnAndKill(['resume', dir, '--quiet'], dir, killAfterMs, cwd);
}

const tally: string[] = [];
afterAll(() => {
  if (tally.length > 0) console.log(tally.join('\n'));
});

describe('SIGKILL at random moments, then descent resume', () => {
  const cwd = scratch('descent-kill-');
  const TRIALS = 24;

  it(`${TRIALS} trials over gd, momentum, adam and flow, fixed and fresh sampling: every one resumes bit-identically`, async () => {
    const t0 = performance.now();
    // the uninterrupted references, and how long each ran
    const refs = await pool(CONFIGS.map((c, k) => async () => {
      const dir = path.join(cwd, `ref-${k}`);
      const r = await spawnAndKill([...c.args, '--out', dir], dir, undefined, cwd);
      expect(r.code, `${c.name}: ${r.stderr}`).toBe(0);
      return { dir, ms: r.ranMs };
    }));
    const rand = rng(20261129);
    const trials = Array.from({ length: TRIALS }, (_, t) => {
      const k = t % CONFIGS.length;
      // uniform over the reference's run time (from run.json's appearance to its exit), from 50 ms;
      // capped at 90% of it, since the same run's time varies by tens of ms from spawn to spawn
      const killAt = 50 + rand() * Math.max(refs[k]!.ms * 0.9 - 50, 1);
      // every third trial is killed a second time, while resuming
      const killResumeAt = t % 3 === 2 ? 20 + rand() * refs[k]!.ms * 0.6 : undefined;
      return { t, k, killAt, killResumeAt };
    });
    const outcomes = await pool(trials.map((tr) => async () => {
      const c = CONFIGS[tr.k]!;
      const dir = path.join(cwd, `trial-${tr.t}`);
      // a run that happened to finish before its moment is run again with the moment halved, so
      // that every trial is a real kill (the machine's speed varies from spawn to spawn)
      let killAt = tr.killAt;
      let killed = await spawnAndKill([...c.args, '--out', dir], dir, killAt, cwd);
      for (let retry = 0; killed.signal !== 'SIGKILL' && retry < 4; retry++) {
        killAt /= 2;
        killed = await spawnAndKill([...c.args, '--out', dir, '--force'], dir, killAt, cwd);
      }
      const stoppedEarly = killed.signal === 'SIGKILL';
      let status = readRunJson(dir)['status'] as string;
      const cp = path.join(dir, 'checkpoint.json');
      const fromStep = fs.existsSync(cp) ? (JSON.parse(fs.readFileSync(cp, 'utf8')) as { step: number }).step : 0;
      let resumes = 0;
      if (status !== 'completed' && tr.killResumeAt !== undefined) {
        const r = await resume(dir, cwd, tr.killResumeAt);
        resumes++;
        expect(r.stderr).not.toMatch(STACK);
        status = readRunJson(dir)['status'] as string;
      }
      while (status !== 'completed' && resumes < 4) {
        const r = await resume(dir, cwd);
        resumes++;
        expect(r.code, `${c.name} trial ${tr.t}: ${r.stderr}`).toBe(0);
        status = readRunJson(dir)['status'] as string;
      }
      expect(status).toBe('completed');
      const ref = refs[tr.k]!.dir;
      // bit for bit: the lossless parameters, the printed ones, and every log record but its time
      expect(readRunJson(dir)['paramsF64'], `${c.name} trial ${tr.t}`).toEqual(readRunJson(ref)['paramsF64']);
      expect(readRunJson(dir)['params']).toEqual(readRunJson(ref)['params']);
      expect(logWithoutTimes(dir)).toEqual(logWithoutTimes(ref));
      // no temporary file or reserve left by the killed writers; the one thing a kill may leave is
      // the lock of a writer killed after its last write but before it exited, and that lock must
      // read as stale (the next writer takes it over)
      const leftovers = fs.readdirSync(dir).filter((n) => n.startsWith('.'));
      const unexpected = leftovers.filter((n) => !(n === LOCK_FILE && liveHolder(dir) === null));
      expect(unexpected, `${c.name} trial ${tr.t}`).toEqual([]);
      return { ...tr, killAt, name: c.name, stoppedEarly, fromStep, resumes };
    }));
    const killedMidRun = outcomes.filter((o) => o.stoppedEarly).length;
    const fromCheckpoint = outcomes.filter((o) => o.fromStep > 0).length;
    tally.push(
      `SIGKILL: ${outcomes.length}/${TRIALS} trials ended bit-identical to the uninterrupted run ` +
        `(${killedMidRun} killed mid-run, ${fromCheckpoint} resumed from a checkpoint past step 0, ` +
        `${outcomes.filter((o) => o.killResumeAt !== undefined).length} also killed while resuming; ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      `  reference run times (run.json to exit): ${refs.map((r, k) => `${CONFIGS[k]!.name} ${r.ms.toFixed(0)} ms`).join(', ')}`,
      ...outcomes.map((o) => `  trial ${String(o.t).padStart(2)} ${o.name.padEnd(14)} kill at ${o.killAt.toFixed(0).padStart(4)} ms → ${o.stoppedEarly ? `checkpoint step ${o.fromStep}` : 'had finished'}, ${o.resumes} resume(s)`),
    );
    expect(outcomes).toHaveLength(TRIALS);
    // the moments must actually land mid-run for most trials, or the test proves little
    expect(killedMidRun).toBe(TRIALS);
    expect(fromCheckpoint).toBeGreaterThanOrEqual(TRIALS * 0.4);
  }, 900_000); // 180 s was not enough with the suite beside it on 2 busy cores (load average 15)
});

describe('SIGINT and SIGTERM', () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal}: whole log lines, run.json "interrupted", a checkpoint at the stop; resume completes identically`, async () => {
      const cwd = scratch();
      const args = ['run', fixture('sampled'), '--optimizer', 'adam', '--steps', '400000', '--fresh', '--seed', '5', '--quiet'];
      const dir = path.join(cwd, 'int');
      const r = await descentInterrupted([...args, '--out', dir], signal, path.join(dir, 'log.jsonl'), cwd);
      expect(r.code).toBe(code);
      expect(r.stderr).not.toMatch(STACK);
      expect(r.stderr).toContain(`Continue it with: descent resume ${dir}`);
      const text = fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.trimEnd().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
      const j = readRunJson(dir);
      expect(j['status']).toBe('interrupted');
      const cp = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')) as Record<string, any>;
      expect(cp['reason']).toBe('stop');
      expect(cp['step']).toBe(j['summary']['step']);
      expect(cp['step']).toBeLessThan(400000);
      expect(cp['log']['bytes']).toBe(Buffer.byteLength(text));
      expect(cp['sampling']['batch']).toHaveLength(1);
      const resumed = descent(['resume', dir, '--quiet'], { cwd });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(readRunJson(dir)['status']).toBe('completed');
      expect(readRunJson(dir)['resumed']).toHaveLength(1);
      expect(fs.existsSync(path.join(dir, 'checkpoint.json'))).toBe(false);
      const ref = path.join(cwd, 'ref');
      expect(descent([...args, '--out', ref], { cwd }).code).toBe(0);
      expect(readRunJson(dir)['paramsF64']).toEqual(readRunJson(ref)['paramsF64']);
      expect(logWithoutTimes(dir)).toEqual(logWithoutTimes(ref));
    });
  }
});

describe('resume refuses what it cannot continue exactly', () => {
  it('a completed run, a diverged run, a folder without run.json, a changed model file, a damaged checkpoint', async () => {
    const cwd = scratch();
    expect(descent(['run', 'quartic', '--steps', '50', '--out', 'done', '--quiet'], { cwd }).code).toBe(0);
    const done = descent(['resume', 'done'], { cwd });
    expect(done.code).toBe(2);
    expect(done.stderr).toBe('descent resume: the run in done already completed; nothing to resume. Its results are in done/run.json.\n');

    fs.mkdirSync(path.join(cwd, 'empty'));
    expect(descent(['resume', 'empty'], { cwd }).stderr).toMatch(/^descent resume: empty has no run\.json, so it is not a run folder/);
    expect(descent(['resume', 'nowhere'], { cwd }).stderr).toBe('descent resume: nowhere: no such folder.\n');

    // a model changed after the run started
    const model = path.join(cwd, 'm.loss');
    fs.copyFileSync(fixture('sampled'), model);
    const stopped = await descentInterrupted(['run', model, '--steps', '1000000', '--out', 'm', '--quiet'], 'SIGINT', path.join(cwd, 'm', 'log.jsonl'), cwd);
    expect(stopped.code).toBe(130);
    fs.appendFileSync(model, '\n# edited\n');
    const changed = descent(['resume', 'm'], { cwd });
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/changed since the run started \(its sha256 differs from run\.json's\)/);
    fs.copyFileSync(fixture('sampled'), model);
    // a checkpoint from elsewhere, or damaged
    const cp = path.join(cwd, 'm', 'checkpoint.json');
    const good = fs.readFileSync(cp, 'utf8');
    fs.writeFileSync(cp, good.replace(/"seed": 0/, '"seed": 1'));
    expect(descent(['resume', 'm'], { cwd }).stderr).toMatch(/checkpoint\.json fails its checksum: field identity\.seed changed since it was written/);
    fs.writeFileSync(cp, good.slice(0, 100));
    const torn = descent(['resume', 'm'], { cwd });
    expect(torn.code).toBe(2);
    expect(torn.stderr).toMatch(/checkpoint\.json is not readable JSON/);
    expect(torn.stderr).not.toMatch(STACK);
    // a log shorter than the checkpoint says
    fs.writeFileSync(cp, good);
    fs.writeFileSync(path.join(cwd, 'm', 'log.jsonl'), '');
    expect(descent(['resume', 'm'], { cwd }).stderr).toMatch(/log\.jsonl has 0 bytes, fewer than the \d+ the checkpoint at step \d+ refers to/);
  });

  it('a diverged run keeps its last finite parameters and checkpoint; resume refuses it', () => {
    const cwd = scratch();
    const r = descent(['run', fixture('diverge'), '--out', 'd', '--checkpoint-every', '2'], { cwd });
    expect(r.code).toBe(3);
    const j = readRunJson(path.join(cwd, 'd'));
    expect(j['status']).toBe('diverged');
    expect(j['summary']['divergence']).toEqual({ step: 5, what: 'gradient of w' });
    // step 5's parameters are finite (their gradient is not): those are kept, losslessly too
    expect(j['paramsStep']).toBe(5);
    expect(j['params']['w'].every((x: unknown) => typeof x === 'number' && Number.isFinite(x))).toBe(true);
    expect(typeof j['paramsF64']['w']).toBe('string');
    const cp = JSON.parse(fs.readFileSync(path.join(cwd, 'd', 'checkpoint.json'), 'utf8')) as Record<string, any>;
    expect(cp['step']).toBe(4);
    const again = descent(['resume', 'd'], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^descent resume: the run in d diverged at step 5; continuing would diverge again\. Its last finite parameters are in d\/run\.json/);
  });

  it('--out never replaces a run (interrupted, with its checkpoint) unless --force', async () => {
    const cwd = scratch();
    const stopped = await descentInterrupted(['run', fixture('forever'), '--out', 'f', '--quiet'], 'SIGTERM', path.join(cwd, 'f', 'log.jsonl'), cwd);
    expect(stopped.code).toBe(143);
    expect(fs.existsSync(path.join(cwd, 'f', 'checkpoint.json'))).toBe(true);
    const before = fs.readFileSync(path.join(cwd, 'f', 'run.json'), 'utf8');
    const again = descent(['run', 'quartic', '--steps', '10', '--out', 'f'], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--out f holds a previous run; refusing to overwrite it\. Pass --force/);
    expect(fs.readFileSync(path.join(cwd, 'f', 'run.json'), 'utf8')).toBe(before);
    expect(descent(['run', 'quartic', '--steps', '10', '--out', 'f', '--force', '--quiet'], { cwd }).code).toBe(0);
    expect(fs.existsSync(path.join(cwd, 'f', 'checkpoint.json'))).toBe(false);
    expect(readRunJson(path.join(cwd, 'f'))['status']).toBe('completed');
  });
});

describe('resource guards through descent run', () => {
  const cwd = scratch();
  const model = (data: string): string => {
    const file = path.join(cwd, `load-${data.replace(/\W/g, '_')}.loss`);
    fs.writeFileSync(file, `dim n = 3\nlet X[n, 2] = load("${data}")\nparam w[2] ~ normal(0, 1)\nloss = sum_i (sum_j X[i, j] * w[j])^2\nsteps 10\n`);
    return file;
  };
  const expectLoadError = (data: string, message: RegExp, extra: readonly string[] = []): void => {
    const r = descent(['run', model(data), '--quiet', '--out', path.join(cwd, `out-${data}`), ...extra], { cwd });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).not.toMatch(/internal error/);
    // file:line:col of the load call, then the message
    expect(r.stderr).toMatch(new RegExp(`load-[^:]*\\.loss:2:20: error: load\\("${data.replace('.', '\\.')}"\\): ${message.source}`));
    expect(fs.existsSync(path.join(cwd, `out-${data}`, 'run.json'))).toBe(false);
  };

  it('load(): a good file runs', () => {
    fs.writeFileSync(path.join(cwd, 'good.csv'), '1,2\n3,4\n5,6\n');
    expect(descent(['run', model('good.csv'), '--quiet', '--out', path.join(cwd, 'out-good')], { cwd }).code).toBe(0);
  });

  it('load(): a huge file is refused before it is read (a sparse 3 GiB file; and over --max-memory)', () => {
    const huge = path.join(cwd, 'huge.csv');
    fs.writeFileSync(huge, '');
    fs.truncateSync(huge, 3 * 2 ** 30); // sparse: no disk used, but stat says 3 GiB
    expectLoadError('huge.csv', /huge\.csv: file too large \(3221225472 bytes; the limit is 1073741824\)/);
    fs.writeFileSync(path.join(cwd, 'mid.csv'), '1,2\n'.repeat(300_000));
    expectLoadError('mid.csv', /mid\.csv: file too large \(1200000 bytes; the limit is 1048576\)/, ['--max-memory', '1M']);
  });

  it('load(): malformed, wrong-shape, missing and unsupported files are located errors', () => {
    fs.writeFileSync(path.join(cwd, 'bad.csv'), '1,2\n3,x\n5,6\n');
    expectLoadError('bad.csv', /bad\.csv: row 2, column 2: `x` is not a number/);
    fs.writeFileSync(path.join(cwd, 'short.csv'), '1,2\n3,4\n');
    expectLoadError('short.csv', /the file holds shape \[2, 2\], declared \[3, 2\]/);
    fs.writeFileSync(path.join(cwd, 'ragged.json'), '[[1,2],[3]]');
    expectLoadError('ragged.json', /ragged\.json: .+/);
    fs.writeFileSync(path.join(cwd, 'torn.npy'), Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0xff]));
    expectLoadError('torn.npy', /torn\.npy: .+/);
    expectLoadError('absent.csv', /absent\.csv: no such file/);
    fs.writeFileSync(path.join(cwd, 'x.txt'), '1');
    expectLoadError('x.txt', /x\.txt: unsupported file type/);
  });

  it('--max-memory: a declared shape over the limit is refused at compile time, sizes named', () => {
    fs.writeFileSync(path.join(cwd, 'big.loss'), 'dim n = 100000\nparam w[n, n] ~ normal(0, 1)\nloss = sum_{i,j} w[i,j]^2\n');
    const r = descent(['run', 'big.loss', '--out', 'big'], { cwd });
    expect(r.code).toBe(2);
    // the default limit: half of this machine's memory
    expect(r.stderr).toMatch(/big\.loss:2:7: error: w\[100000, 100000\] holds 1\.00e\+10 values \(74\.5 GiB\), more than the memory limit of [\d.]+ GiB/);
    const small = descent(['run', fixture('quartic'), '--set', 'n=1000', '--max-memory', '4K', '--out', 'q'], { cwd });
    expect(small.code).toBe(2);
    expect(small.stderr).toMatch(/w\[1000\] holds 1\.00e\+3 values \(7\.8 KiB\), more than the memory limit of 4\.0 KiB/);
    // a limit above what the process can allocate: still a one-paragraph error, not a crash
    const over = descent(['check', 'big.loss', '--max-memory', '1T'], { cwd });
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/^descent check: big needs more memory than this process can allocate/);
    expect(over.stderr).not.toMatch(STACK);
  });
});
