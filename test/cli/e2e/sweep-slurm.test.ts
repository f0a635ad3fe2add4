// Sweep tasks that can run again (resume, skip when finished), --submit slurm and `descent status`, with stand-in Slurm commands.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { descent, descentAsync, descentInterrupted, readLog, readRunJson, scratch, STACK } from './helpers.js';

/** Rewrites a JSON file through `edit`. */
function editJson(file: string, edit: (j: Record<string, unknown>) => void): void {
  const j = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(j);
  fs.writeFileSync(file, JSON.stringify(j));
}

const SWEEP = ['sweep', 'quartic', '--set', 'n=1,2', '--seeds', '1-4', '--log', '30'];
const LONG = [...SWEEP, '--steps', '1000000'];
const ENDLESS = [...SWEEP, '--steps', '1000000000'];

/** A folder of stand-in Slurm commands: each prints `outputs[name]` and records its arguments. */
function fakeSlurm(outputs: Record<string, { stdout?: string; stderr?: string; code?: number }>): string {
  const bin = scratch('descent-fake-slurm-');
  for (const [name, o] of Object.entries(outputs)) {
    const file = path.join(bin, name);
    fs.writeFileSync(`${file}.stdout`, o.stdout ?? '');
    fs.writeFileSync(`${file}.stderr`, o.stderr ?? '');
    fs.writeFileSync(file, `#!/bin/bash\nprintf '%s\\n' "$@" > '${file}.args'\ncat '${file}.stdout'\ncat '${file}.stderr' >&2\nexit ${o.code ?? 0}\n`, { mode: 0o755 });
  }
  return bin;
}
const withPath = (bin: string): Record<string, string> => ({ PATH: `${bin}:${process.env['PATH'] ?? ''}` });

describe('a sweep task run again', () => {
  const cwd = scratch();
  const entry = path.join(cwd, 'sw', '1_n=1_seed=2');

  it('stops at SIGUSR1 with a checkpoint, resumes when run again, bit for bit, and then does nothing', async () => {
    const stopped = await descentInterrupted([...LONG, '--out', 'sw', '--index', '1'], 'SIGUSR1', path.join(entry, 'log.jsonl'), cwd);
    expect(stopped.code).toBe(138);
    expect(stopped.stderr).toMatch(/^descent sweep: entry 1 \(n=1 seed=2\): starting at step 0 of 1000000; ready [\d.]+ s after Node started\n/);
    const at = Number(/stopped by SIGUSR1 at step (\d+) of 1000000, checkpointed in sw\/1_n=1_seed=2; running the same task again resumes it from there\.\n$/.exec(stopped.stderr)?.[1]);
    expect(at).toBeGreaterThan(0);
    expect(readRunJson(entry)['status']).toBe('interrupted');
    expect(fs.existsSync(path.join(entry, 'checkpoint.json'))).toBe(true);

    // the checks of descent resume hold for a requeued task too: an edited checkpoint or run.json,
    // or a deleted checkpoint, is refused (exit 2, the field named), never resumed or restarted
    const edits: [string, (d: string) => void, RegExp][] = [
      ['step', (d) => editJson(path.join(d, 'checkpoint.json'), (cp) => (cp['step'] = (cp['step'] as number) + 1000)), /checkpoint\.json fails its checksum: field step changed/],
      ['overrides', (d) => editJson(path.join(d, 'run.json'), (rj) => ((rj['config'] as Record<string, unknown>)['overrides'] = { n: 1, d: 4 })), /run\.json fails its checksum: fields? config\.overrides\.d \(added\)/],
      ['deleted', (d) => fs.rmSync(path.join(d, 'checkpoint.json')), /checkpoint\.json is missing, but run\.json \(field checkpointed\) says the run wrote one at step \d+/],
    ];
    for (const [name, edit, says] of edits) {
      const copy = path.join(cwd, `edited-${name}`, '1_n=1_seed=2');
      fs.cpSync(entry, copy, { recursive: true });
      edit(copy);
      const log = fs.readFileSync(path.join(copy, 'log.jsonl'));
      const r = descent([...LONG, '--out', `edited-${name}`, '--index', '1'], { cwd });
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr, name).toMatch(new RegExp(`^descent sweep: .*${says.source}`, 'm'));
      expect(r.stderr).not.toMatch(STACK);
      expect(fs.readFileSync(path.join(copy, 'log.jsonl')), name).toEqual(log);
      expect(fs.existsSync(path.join(copy, '.descent.lock')), name).toBe(false);
    }

    const resumed = descent([...LONG, '--out', 'sw', '--index', '1'], { cwd });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`^descent sweep: entry 1 \\(n=1 seed=2\\): resuming from its checkpoint at step ${at} of 1000000; ready`));
    const whole = descent([...LONG, '--out', 'ref', '--index', '1', '--quiet'], { cwd });
    expect(whole.code).toBe(0);
    const ref = path.join(cwd, 'ref', '1_n=1_seed=2');
    expect(readRunJson(entry)['paramsF64']).toEqual(readRunJson(ref)['paramsF64']);
    expect(readRunJson(entry)['resumed']).toEqual([{ at: expect.any(String), step: at }]);
    const strip = (d: string): string => readLog(d).map(({ elapsed: _, ...rest }) => JSON.stringify(rest)).join('\n');
    expect(strip(entry)).toBe(strip(ref));

    const before = fs.readFileSync(path.join(entry, 'run.json'), 'utf8');
    const again = descent([...LONG, '--out', 'sw', '--index', '1'], { cwd });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/^descent sweep: entry 1 \(n=1 seed=2\): already completed; nothing to do\n/);
    expect(fs.readFileSync(path.join(entry, 'run.json'), 'utf8')).toBe(before);
  });

  it('refuses a second task of an entry, and --force over the sweep, while a live task writes it, naming that one (one writer per folder)', async () => {
    // a run far longer than the test: it is still running when the others try, however slowly they start
    const dir = path.join(cwd, 'live', '1_n=1_seed=2');
    const first = descentInterrupted([...ENDLESS, '--out', 'live', '--index', '1'], 'SIGUSR1', path.join(dir, 'second.done'), cwd);
    while (!(fs.existsSync(path.join(dir, 'log.jsonl')) && fs.statSync(path.join(dir, 'log.jsonl')).size > 0)) await new Promise((r) => setTimeout(r, 20));
    const second = await descentAsync([...ENDLESS, '--out', 'live', '--index', '1'], { cwd });
    // nor does --force replace the sweep while one of its entries is being written
    const forced = await descentAsync([...ENDLESS, '--out', 'live', '--force', '--jobs', '1'], { cwd });
    fs.writeFileSync(path.join(dir, 'second.done'), 'x');
    expect(forced.code).toBe(2);
    expect(forced.stderr).toMatch(/^descent sweep: --force cannot replace live\/1_n=1_seed=2: it is being written by process \d+ \(descent sweep, since [^)]+\)/m);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/^descent sweep: live\/1_n=1_seed=2 is being written by process \d+ \(descent sweep, since [^)]+\); one process at a time may write a run folder\./m);
    const stopped = await first;
    expect(stopped.code, stopped.stderr).toBe(138);
    expect(readRunJson(dir)['status']).toBe('interrupted');
  });

  it('refuses an entry folder holding a run of other settings', () => {
    const r = descent([...SWEEP, '--steps', '50', '--out', 'sw', '--index', '1'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`descent sweep: sw/1_n=1_seed=2 holds a run of another model text or other settings than this sweep's entry; pass --force to replace it, or choose another --out.\n`);
  });
});

describe('descent sweep --submit slurm', () => {
  const cwd = scratch();
  const short = [...SWEEP, '--steps', '100'];

  it('writes the script into the sweep folder, submits it with the extra sbatch options, and records the job', () => {
    const bin = fakeSlurm({ sbatch: { stdout: '4242\n' } });
    const r = descent([...short, '--out', 'sw', '--submit', 'slurm', '--sbatch-args', "--export=NONE --comment 'two words'"], { cwd, env: withPath(bin) });
    expect(r.code, r.stderr).toBe(0);
    const dir = path.join(cwd, 'sw');
    expect(r.stdout).toBe(`submitted Slurm job 4242: 8 tasks (array 0-7) → sw\n  script:   ${dir}/sweep.sbatch\n  progress: descent status sw\n  results:  descent collect sw\n`);
    expect(fs.readFileSync(path.join(bin, 'sbatch.args'), 'utf8')).toBe(`--parsable\n--export=NONE\n--comment\ntwo words\n${dir}/sweep.sbatch\n`);
    const script = fs.readFileSync(path.join(dir, 'sweep.sbatch'), 'utf8');
    expect(script).toContain(`--out ${dir} --index "$SLURM_ARRAY_TASK_ID"\n`);
    expect(script).toMatch(/\nexec \/\S+ \/\S+\/packages\/cli\/dist\/main\.js sweep \/\S+\/quartic\.loss --set n=1,2 /);
    const rec = JSON.parse(fs.readFileSync(path.join(dir, 'slurm.json'), 'utf8')) as { jobs: { id: string; tasks: number; sbatchArgs: string[] }[] };
    expect(rec.jobs).toMatchObject([{ id: '4242', tasks: 8, sbatchArgs: ['--export=NONE', '--comment', 'two words'] }]);
    expect(fs.existsSync(path.join(dir, 'sweep.json'))).toBe(true);
  });

  it('submits the same sweep again without --force, and refuses another sweep in the folder', () => {
    const bin = fakeSlurm({ sbatch: { stdout: '4243;cluster\n' } });
    const again = descent([...short, '--out', 'sw', '--submit', 'slurm', '--json'], { cwd, env: withPath(bin) });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ job: '4243', tasks: 8, resubmission: true });
    const rec = JSON.parse(fs.readFileSync(path.join(cwd, 'sw', 'slurm.json'), 'utf8')) as { jobs: { id: string }[] };
    expect(rec.jobs.map((j) => j.id)).toEqual(['4242', '4243']);
    const other = descent([...SWEEP, '--steps', '200', '--out', 'sw', '--submit', 'slurm'], { cwd, env: withPath(bin) });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^descent sweep: --out sw holds another sweep \(its sweep\.json has another plan or other settings\); pass --force/);
  });

  it("says why sbatch refused the job, in one line", () => {
    const bin = fakeSlurm({ sbatch: { stderr: 'sbatch: error: Batch job submission failed: Invalid partition name specified\n', code: 1 } });
    const r = descent([...short, '--out', 'bad', '--submit', 'slurm', '--sbatch-args', '--partition=nope'], { cwd, env: withPath(bin) });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`descent sweep: sbatch refused the job: sbatch: error: Batch job submission failed: Invalid partition name specified. The script is in ${cwd}/bad/sweep.sbatch.\n`);
    expect(r.stderr).not.toMatch(STACK);
  });
});

describe('descent status', () => {
  const cwd = scratch();
  const sw = path.join(cwd, 'sw');

  it('shows done and missing entries from the run folders alone', () => {
    expect(descent([...SWEEP, '--steps', '100', '--out', 'sw', '--index', '0', '--quiet'], { cwd }).code).toBe(0);
    const r = descent(['status', 'sw'], { cwd });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('sw: quartic, 8 runs: 1 done, 7 missing');
    expect(lines[1]).toMatch(/^# +run +state +step +slurm +detail$/);
    expect(lines[2]).toMatch(/^0 +n=1 seed=1 +done +100\/100 +final loss /);
    expect(lines[3]).toMatch(/^1 +n=1 seed=2 +missing$/);
    // a run whose process is gone (killed) without a word: run.json says running, no live process holds the folder's lock
    const e2 = path.join(sw, '2_n=1_seed=3');
    fs.mkdirSync(e2);
    const { summary: _s, ...run0 } = readRunJson(path.join(sw, '0_n=1_seed=1'));
    fs.writeFileSync(path.join(e2, 'run.json'), JSON.stringify({ ...run0, status: 'running', process: { pid: 2 ** 22 + 1, host: os.hostname() } }));
    const k = descent(['status', 'sw'], { cwd });
    expect(k.stdout.split('\n')[4]).toMatch(/^2 +n=1 seed=3 +failed +run\.json says running, but no process holds the folder \(killed\?\); continue it with descent resume$/);
    fs.rmSync(e2, { recursive: true });
  });

  it("adds Slurm's state of each task: pending, requeued, running, failed with the task's last words", () => {
    // entry 1 interrupted, entry 3 failed on the cluster (its Slurm log holds descent's error)
    const e1 = path.join(sw, '1_n=1_seed=2');
    fs.mkdirSync(e1, { recursive: true });
    const run0 = readRunJson(path.join(sw, '0_n=1_seed=1'));
    fs.writeFileSync(path.join(e1, 'run.json'), JSON.stringify({ ...run0, status: 'interrupted', summary: { ...run0['summary'], status: 'interrupted', step: 40 } }));
    fs.writeFileSync(path.join(sw, 'slurm.json'), JSON.stringify({ format: 'descent-slurm/1', jobs: [{ id: '4242', submitted: new Date().toISOString(), sbatchArgs: [], tasks: 8 }] }));
    fs.writeFileSync(path.join(sw, 'slurm-4242_3.out'), 'descent sweep: entry 3 (n=1 seed=4): starting at step 0 of 100\ndescent sweep: cannot write to --out x: the disk is full.\n');
    const bin = fakeSlurm({
      squeue: { stdout: '4242|1|PENDING|BeginTime\n4242|2|RUNNING|None\n' },
      sacct: { stdout: '4242_0|COMPLETED|0:0\n4242_3|FAILED|2:0\n4242_[4-7]|PENDING|0:0\n' },
    });
    const r = descent(['status', 'sw'], { cwd, env: withPath(bin) });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('sw: quartic, 8 runs: 1 done, 1 running, 5 pending, 1 failed (Slurm job 4242)');
    expect(lines[2]).toMatch(/^0 +n=1 seed=1 +done +100\/100 +COMPLETED +final loss /);
    expect(lines[3]).toMatch(/^1 +n=1 seed=2 +pending +40\/100 +PENDING +requeued, resumes from step 40; waiting \(BeginTime\)$/);
    expect(lines[4]).toMatch(/^2 +n=1 seed=3 +running +RUNNING +starting$/);
    expect(lines[5]).toMatch(/^3 +n=1 seed=4 +failed +FAILED +Slurm: FAILED, exit 2: descent sweep: cannot write to --out x: the disk is full\.$/);
    expect(lines[6]).toMatch(/^4 +n=2 seed=1 +pending +PENDING +waiting$/);
    expect(fs.readFileSync(path.join(bin, 'squeue.args'), 'utf8')).toBe('-h\n-r\n-j\n4242\n-o\n%F|%K|%T|%r\n');
    const j = descent(['status', 'sw', '--json'], { cwd, env: withPath(bin) });
    const st = JSON.parse(j.stdout) as { jobs: string[]; entries: { index: number; state: string; slurm?: { job: string; state: string } }[] };
    expect(st.jobs).toEqual(['4242']);
    expect(st.entries.map((e) => e.state)).toEqual(['done', 'pending', 'running', 'failed', 'pending', 'pending', 'pending', 'pending']);
    expect(st.entries[3]!.slurm).toMatchObject({ job: '4242_3', state: 'FAILED', exitCode: '2:0' });
  });

  it('refuses a folder that is not a sweep', () => {
    const r = descent(['status', 'nowhere'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^descent status: nowhere does not exist; give the --out folder of a `descent sweep`/);
  });
});
