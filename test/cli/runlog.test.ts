// Log-spaced record steps, the JSONL writer and its torn-line-tolerant reader, atomic JSON writes.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  JsonlWriter, logSteps, readJson, readJsonl, toJsonLine, writeJsonAtomic,
} from '../../packages/cli/src/runlog.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'descent-runlog-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('logSteps', () => {
  it('golden cases', () => {
    expect(logSteps(1000, 5)).toEqual([0, 1, 10, 100, 1000]);
    expect(logSteps(1000, 4, 1)).toEqual([1, 10, 100, 1000]);
    expect(logSteps(5, 200)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(logSteps(0, 3)).toEqual([0]);
    expect(logSteps(10, 1)).toEqual([10]);
    expect(logSteps(10, 2)).toEqual([0, 10]);
  });

  it('is sorted, distinct, within range, with both ends and exactly min(count, span) entries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e7 }), fc.integer({ min: 2, max: 500 }), fc.constantFrom<0 | 1>(0, 1), (total, count, first) => {
        const s = logSteps(total, count, first);
        expect(s.length).toBe(Math.min(count, total - first + 1));
        expect(s[0]).toBe(first);
        expect(s[s.length - 1]).toBe(total);
        for (let i = 1; i < s.length; i++) {
          expect(Number.isInteger(s[i])).toBe(true);
          expect(s[i]!).toBeGreaterThan(s[i - 1]!);
        }
      }),
    );
  });

  it('is roughly log-uniform: about as many points in each of the last decades', () => {
    const s = logSteps(100000, 200);
    const inDecade = (a: number, b: number): number => s.filter((x) => x > a && x <= b).length;
    expect(Math.abs(inDecade(1e4, 1e5) - inDecade(1e3, 1e4))).toBeLessThanOrEqual(1);
    expect(inDecade(1e4, 1e5)).toBeGreaterThanOrEqual(38);
  });

  it('rejects nonsense', () => {
    expect(() => logSteps(-1, 3)).toThrow(RangeError);
    expect(() => logSteps(10, 0)).toThrow(RangeError);
  });
});

describe('JsonlWriter and readJsonl', () => {
  it('round-trips records, doubles exactly, non-finite numbers as well', () => {
    const file = path.join(dir, 'a.jsonl');
    const w = new JsonlWriter(file, { truncate: true });
    const recs = [
      { step: 0, loss: 1 / 3, metrics: { norm: [0.1, 2e-300] }, elapsed: 0 },
      { step: 1, loss: NaN, metrics: { x: Infinity, y: -Infinity }, elapsed: 0.5 },
    ];
    for (const r of recs) w.write(r);
    w.sync();
    w.close();
    const back = readJsonl(file);
    expect(back.tornTail).toBe(false);
    expect(back.records).toEqual(recs);
    expect(back.validBytes).toBe(fs.statSync(file).size);
    expect(fs.readFileSync(file, 'utf8').split('\n')).toHaveLength(3);
  });

  it('reads a log longer than its 1 MiB read chunk, lines cut by the chunk boundaries, every record once', () => {
    const file = path.join(dir, 'long.jsonl');
    // 1 MiB chunks: with ~60-byte lines, lines straddle the boundaries at 1 MiB and 2 MiB
    const recs = Array.from({ length: 40_000 }, (_, i) => ({ step: i, loss: 1 / (i + 3), elapsed: i / 7 }));
    fs.writeFileSync(file, recs.map((r) => `${JSON.stringify(r)}\n`).join(''));
    expect(fs.statSync(file).size).toBeGreaterThan(2 << 20);
    const back = readJsonl(file);
    expect(back.tornTail).toBe(false);
    expect(back.records).toEqual(recs);
    expect(back.validBytes).toBe(fs.statSync(file).size);
  });

  it('writes non-finite numbers as null with a "nonfinite" map, and huge whole numbers with an exponent', () => {
    const file = path.join(dir, 'nonfinite.jsonl');
    const w = new JsonlWriter(file, { truncate: true });
    w.write({ step: 3, loss: NaN, metrics: { norm: [1, Infinity], total: -Infinity, big: 1.2e20, top: Number.MAX_VALUE }, elapsed: 0.1 });
    w.close();
    const line = fs.readFileSync(file, 'utf8');
    expect(line).toBe('{"step":3,"loss":null,"metrics":{"norm":[1,null],"total":null,"big":1.2e+20,"top":1.7976931348623157e+308},"elapsed":0.1,' +
      '"nonfinite":{"loss":"NaN","metrics.norm[1]":"Infinity","metrics.total":"-Infinity"}}\n');
    expect(readJsonl(file).records).toEqual([{ step: 3, loss: NaN, metrics: { norm: [1, Infinity], total: -Infinity, big: 1.2e20, top: Number.MAX_VALUE }, elapsed: 0.1 }]);
  });

  it('finite doubles of any size round-trip exactly through the exponent form', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      const parsed = JSON.parse(toJsonLine({ x })) as { x: number };
      expect(Object.is(parsed.x, x) || (x === 0 && parsed.x === 0)).toBe(true);
      // never a whole number of 16 digits or more without an exponent (pandas: "Value is too big")
      expect(toJsonLine({ x })).not.toMatch(/(?<![.\d])\d{16,}(?![.\de])/);
    }), { numRuns: 2000 });
  });

  it('still reads logs that wrote non-finite numbers as strings', () => {
    const file = path.join(dir, 'old.jsonl');
    fs.writeFileSync(file, '{"step":1,"loss":"NaN","metrics":{"x":"-Infinity"},"elapsed":0}\n');
    expect(readJsonl(file).records).toEqual([{ step: 1, loss: NaN, metrics: { x: -Infinity }, elapsed: 0 }]);
  });

  it('revives the strings of old logs only where they are whole values, line by line', () => {
    const file = path.join(dir, 'mixed.jsonl');
    fs.writeFileSync(file, [
      '{"step":0,"loss":1,"metrics":{"NaNs":2},"note":"NaN-free Infinity","elapsed":0}',
      '{"step":1,"loss":"Infinity","metrics":{"NaNs":3},"elapsed":0}',
      '{"step":2,"loss":null,"metrics":{"NaNs":4},"elapsed":0,"nonfinite":{"loss":"-Infinity"}}',
      '',
    ].join('\n'));
    expect(readJsonl(file).records).toEqual([
      { step: 0, loss: 1, metrics: { NaNs: 2 }, note: 'NaN-free Infinity', elapsed: 0 },
      { step: 1, loss: Infinity, metrics: { NaNs: 3 }, elapsed: 0 },
      { step: 2, loss: -Infinity, metrics: { NaNs: 4 }, elapsed: 0 },
    ]);
  });

  it('appends to an existing log', () => {
    const file = path.join(dir, 'b.jsonl');
    new JsonlWriter(file, { truncate: true }).write({ a: 1 });
    const w = new JsonlWriter(file);
    w.write({ a: 2 });
    w.close();
    expect(readJsonl(file).records).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('drops a torn last line and reports where the whole lines end', () => {
    const file = path.join(dir, 'c.jsonl');
    const whole = toJsonLine({ step: 1 }) + toJsonLine({ step: 2 });
    for (const tail of ['{"step": 3, "lo', '{"step":3}', '{']) {
      fs.writeFileSync(file, whole + tail);
      const back = readJsonl(file);
      expect(back.records).toEqual([{ step: 1 }, { step: 2 }]);
      expect(back.tornTail).toBe(true);
      expect(back.validBytes).toBe(Buffer.byteLength(whole));
    }
  });

  it('refuses a bad line in the middle, naming it', () => {
    const file = path.join(dir, 'd.jsonl');
    fs.writeFileSync(file, '{"a":1}\nnot json\n{"a":2}\n');
    expect(() => readJsonl(file)).toThrow(/line 2 is not valid JSON/);
  });

  it('leaves only whole lines when the writing process is killed with SIGKILL', () => {
    const file = path.join(dir, 'e.jsonl');
    // Node 20 cannot import TypeScript: the child uses the build (`pnpm test` runs tsc -b first).
    const writer = path.resolve('packages/cli/dist/runlog.js');
    expect(fs.existsSync(writer), 'run tsc -b first').toBe(true);
    // A child writes lines as fast as it can and SIGKILLs itself after a while.
    const script = `
      import { JsonlWriter } from ${JSON.stringify(writer)};
      const w = new JsonlWriter(${JSON.stringify(file)}, { truncate: true });
      const pad = 'x'.repeat(3000);
      let i = 0;
      const stop = Date.now() + 150;
      while (true) {
        w.write({ i, pad });
        if (++i % 50 === 0 && Date.now() > stop) process.kill(process.pid, 'SIGKILL');
      }`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 20_000,
    });
    expect(r.signal).toBe('SIGKILL');
    const back = readJsonl<{ i: number }>(file);
    expect(back.tornTail).toBe(false);
    expect(back.records.length).toBeGreaterThan(50);
    back.records.forEach((rec, k) => expect(rec.i).toBe(k));
  });
});

describe('writeJsonAtomic', () => {
  it('writes, replaces, and leaves no temporary file', () => {
    const file = path.join(dir, 'run.json');
    writeJsonAtomic(file, { status: 'running', loss: NaN });
    writeJsonAtomic(file, { status: 'done', loss: 0.5 });
    expect(readJson(file)).toEqual({ status: 'done', loss: 0.5 });
    writeJsonAtomic(file, { loss: -Infinity });
    expect(readJson(file)).toEqual({ loss: -Infinity });
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});
