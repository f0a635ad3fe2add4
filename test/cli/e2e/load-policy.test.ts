// load() through the CLI: the read policy (the model's folder, --allow-read recorded in run.json),
// FIFOs and devices refused, short escaped excerpts in errors, and a 300 MB CSV and a 320 MB JSON within --max-memory.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { descent, readRunJson, repo, scratch, STACK } from './helpers.js';

const root = scratch('descent-load-policy-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A model in `root/<folder>/m.loss` loading `data` into a [3, 2] matrix. */
function model(folder: string, data: string): string {
  const dir = path.join(root, folder);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'm.loss');
  fs.writeFileSync(file, `dim n = 3\nlet X[n, 2] = load("${data}")\nparam w[2] ~ normal(0, 1)\nloss = sum_i (sum_j X[i, j] * w[j])^2\nsteps 5\n`);
  return file;
}

describe('load(): what a model may read', () => {
  fs.mkdirSync(path.join(root, 'data'), { recursive: true });
  fs.writeFileSync(path.join(root, 'data', 'x.csv'), '1,2\n3,4\n5,6\n');

  it('a file outside the model folder is refused (exit 2, located, the way out named)', () => {
    const m = model('a', '../data/x.csv');
    const r = descent(['check', m], { cwd: root });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/m\.loss:2:20: error: load\("\.\.\/data\/x\.csv"\): \.\.\/data\/x\.csv: outside the model's folder .*--allow-read PATH/);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('--allow-read PATH lets it through, for check and run; run.json records the absolute path', () => {
    const m = model('b', '../data/x.csv');
    expect(descent(['check', m, '--allow-read', 'data'], { cwd: root }).code).toBe(0);
    const out = path.join(root, 'run-b');
    const r = descent(['run', m, '--allow-read', path.join(root, 'data'), '--out', out, '--quiet'], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expect(readRunJson(out)['config']['allowRead']).toEqual([path.join(root, 'data')]);
    // allowing another folder does not allow this one
    fs.mkdirSync(path.join(root, 'other'), { recursive: true });
    expect(descent(['check', m, '--allow-read', 'other'], { cwd: root }).code).toBe(2);
  });

  it('absolute paths, ../.. and symlinks out of the folder (to /proc, to another folder) are refused', () => {
    const dir = path.join(root, 'c');
    for (const [name, target] of [['env.csv', '/proc/self/environ'], ['up.csv', path.join(root, 'data', 'x.csv')]] as const) {
      const m = model('c', name);
      fs.symlinkSync(target, path.join(dir, name));
      const r = descent(['check', m], { cwd: root });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/outside the model's folder/);
    }
    for (const p of ['/etc/hostname.csv', '../../../../../../etc/passwd.csv', path.join(root, 'data', 'x.csv')]) {
      const r = descent(['check', model('d', p)], { cwd: root });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/outside the model's folder|no such file/);
    }
  });

  it('a FIFO and a device are refused at once, never read', () => {
    const dir = path.join(root, 'e');
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('mkfifo', [path.join(dir, 'pipe.csv')]);
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.csv'));
    const t0 = Date.now();
    const fifo = descent(['check', model('e', 'pipe.csv')], { cwd: root });
    expect(fifo.code, fifo.stderr).toBe(2);
    expect(fifo.stderr).toMatch(/pipe\.csv: not a regular file \(a FIFO, device or socket is never read\)/);
    // /dev/zero is outside the folder; allowed, it is still not a regular file
    const zero = descent(['check', model('e', 'zero.csv'), '--allow-read', '/dev/zero'], { cwd: root });
    expect(zero.code, zero.stderr).toBe(2);
    expect(zero.stderr).toMatch(/zero\.csv: not a regular file/);
    expect(Date.now() - t0).toBeLessThan(30_000); // no hang (a blocking read of a FIFO never returns)
  });

  it('errors quote at most a short escaped excerpt of the file', () => {
    const secret = `${'S3CRET'.repeat(20)}\u0007\u001b[31m`;
    fs.mkdirSync(path.join(root, 'f'), { recursive: true });
    fs.writeFileSync(path.join(root, 'f', 'x.csv'), `1,2\n3,${secret}\n5,6\n`);
    fs.writeFileSync(path.join(root, 'f', 'x.json'), `[[1, 2], [3, "${secret}"]]`);
    fs.writeFileSync(path.join(root, 'f', 'y.json'), `[[1, 2], [3, 4]] ${secret}`);
    for (const name of ['x.csv', 'x.json', 'y.json']) {
      const r = descent(['check', model('f', name)], { cwd: root });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).not.toContain('S3CRET'.repeat(5));
      expect(r.stderr).not.toMatch(/[\u0007\u001b]/);
    }
  });
});

/**
 * `descent eval m.loss --json --max-memory 1G` in `dir`, with the process's peak resident memory
 * in MiB where /usr/bin/time can tell (undefined otherwise) and the wall time in ms.
 */
function evalWithPeakMemory(dir: string): { out: SpawnSyncReturns<string>; ms: number; peakMb: number | undefined } {
  const cmd = [path.join(repo, 'packages/cli/dist/main.js'), 'eval', 'm.loss', '--json', '--max-memory', '1G'];
  const options = { cwd: dir, encoding: 'utf8' as const, timeout: 300_000, maxBuffer: 1 << 26 };
  const t0 = Date.now();
  const out = fs.existsSync('/usr/bin/time')
    ? spawnSync('/usr/bin/time', ['-f', 'peak-kb %M', process.execPath, ...cmd], options)
    : spawnSync(process.execPath, cmd, options);
  const ms = Date.now() - t0;
  const peak = /peak-kb (\d+)/.exec(out.stderr ?? '');
  return { out, ms, peakMb: peak === null ? undefined : Number(peak[1]) / 1024 };
}

/** One big data file for bigLoadCase: its name, how one row of 10 values is written, what opens and closes the file, between rows. */
interface BigFormat {
  readonly file: string;
  readonly megabytes: number;
  readonly row: (values: string[]) => string;
  readonly head: string;
  readonly separator: string;
  readonly tail: string;
}

/**
 * Writes a file of `format` of at least `megabytes` MB (rows of the 10 values 0.123456789 + k,
 * k = 0..9), a model loading it into X[n, 10] with the metric s = sum_i X[i, column], and checks:
 * refused by its size under --max-memory 256M before a byte is read; loaded under 1G, with the
 * process's peak resident memory under the limit (the file is streamed into one Float64Array of
 * the declared size); s as expected. Returns the line to print.
 */
function bigLoadCase(folder: string, format: BigFormat, column: number): string {
  const dir = path.join(root, folder);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, format.file);
  const row = format.row(Array.from({ length: 10 }, (_, k) => (0.123456789 + k).toFixed(9)));
  const rows = Math.ceil((format.megabytes * 1e6) / (row.length + format.separator.length));
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, format.head);
  const block = `${row}${format.separator}`.repeat(10_000);
  for (let k = 0; k < rows - 1; k += 10_000) fs.writeSync(fd, k + 10_000 <= rows - 1 ? block : `${row}${format.separator}`.repeat(rows - 1 - k));
  fs.writeSync(fd, `${row}${format.tail}`);
  fs.closeSync(fd);
  const size = fs.statSync(file).size;
  expect(size).toBeGreaterThanOrEqual(format.megabytes * 1e6);
  fs.writeFileSync(path.join(dir, 'm.loss'), `dim n = ${rows}\nlet X[n, 10] = load("${format.file}")\nparam w[10] ~ normal(0, 1)\nmetric s = sum_i X[i, ${column}]\nloss = |w|^2\nsteps 1\n`);
  // a limit below the file: refused by its size, before a byte is read
  const small = descent(['check', path.join(dir, 'm.loss'), '--max-memory', '256M'], { cwd: root });
  expect(small.code, small.stderr).toBe(2);
  const name = format.file.replace('.', '\\.');
  expect(small.stderr).toMatch(new RegExp(`${name}: file too large \\(\\d+ bytes; the limit is 268435456\\)`));
  const { out, ms, peakMb } = evalWithPeakMemory(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  expect(out.status, out.stderr).toBe(0);
  const metrics = (JSON.parse(out.stdout) as { metrics: Record<string, number> }).metrics;
  expect(metrics['s']).toBeCloseTo(rows * (column + 0.123456789), 0);
  if (peakMb !== undefined) expect(peakMb).toBeLessThan(1024);
  return `${format.megabytes} MB ${format.file} (${size} bytes, ${rows * 10} values, ${((rows * 80) / 2 ** 20).toFixed(0)} MiB as float64): eval in ${ms} ms, peak resident memory ${peakMb === undefined ? 'not measured' : `${peakMb.toFixed(0)} MiB`}`;
}

describe('load(): big files', () => {
  it('a 300 MB CSV loads within --max-memory (streamed into one buffer), or is refused before reading', () => {
    console.log(bigLoadCase('big', { file: 'x.csv', megabytes: 300, row: (v) => v.join(','), head: '', separator: '\n', tail: '\n' }, 0));
  }, 600_000);

  it('a 320 MB JSON loads the same way (it killed V8 when parsed whole), or is refused before reading', () => {
    console.log(bigLoadCase('bigjson', { file: 'y.json', megabytes: 320, row: (v) => `[${v.join(', ')}]`, head: '[', separator: ',\n', tail: ']\n' }, 9));
  }, 600_000);
});