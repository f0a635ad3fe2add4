// The run's log: records queued by the training loop and written as JSON lines in batches give
// the same bytes as writing every record at once with toJsonLine; the loop's metric objects are
// those of Program.metrics().
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compileSource, formatDiagnostics, type Program } from '@descent/dsl';
import { LogBuffer, RecordRows } from '../../packages/cli/src/log-buffer.js';
import { plainNumber, readJsonl, toJsonLine, type LogRecord } from '../../packages/cli/src/runlog.js';
import { train } from '../../packages/cli/src/train.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'descent-logbuffer-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const anyNumber = fc.oneof(
  fc.double(),
  fc.double({ min: -1e-3, max: 1e-3 }),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 5e-324, Number.MAX_VALUE, 1e21, 1e-7, 0.1 + 0.2),
);
const finiteNumber = fc.double({ noDefaultInfinity: true, noNaN: true });
const metricName = fc.oneof(
  fc.constantFrom('norm', 'total', 'align', '__proto__', 'constructor', 'toString', 'a"b\\c', 'ünï', '\u2028', 'x\n'),
  fc.string({ maxLength: 6 }),
);

/** The three kinds of metric objects the log receives: plain, prototype-free, and the loop's own. */
type Kind = 'plain' | 'null' | 'proto';
const PROTO: object = Object.freeze(Object.create(null) as object);
function metricsObject(kind: Kind, entries: ReadonlyArray<readonly [string, number | number[]]>): LogRecord['metrics'] {
  const m = (kind === 'plain' ? {} : Object.create(kind === 'null' ? null : PROTO)) as Record<string, number | number[]>;
  // defineProperty: a plain object's `__proto__` would otherwise set its prototype
  for (const [k, v] of entries) Object.defineProperty(m, k, { value: v, enumerable: true, writable: true, configurable: true });
  return m;
}

const record = (finite: boolean): fc.Arbitrary<{ kind: Kind; step: number; loss: number; entries: Array<[string, number | number[]]>; dt: number }> => {
  const num = finite ? finiteNumber : anyNumber;
  return fc.record({
    kind: fc.constantFrom<Kind>('plain', 'null', 'proto'),
    step: fc.nat(),
    loss: num,
    entries: fc.uniqueArray(fc.tuple(metricName, fc.oneof(num, fc.array(num, { maxLength: 5 }))), { maxLength: 4, selector: ([k]) => k }),
    dt: fc.double({ min: 0, max: 0.2, noNaN: true }),
  });
};

/**
 * After an append: what waits in memory stays under maxBytes (the byte estimate never
 * undercounts), and when asked (`records` given) the flushed position and file are exact.
 */
function expectAppended(log: LogBuffer, file: string, expected: string, maxBytes: number, records?: number): void {
  expect(Buffer.byteLength(expected) - fs.statSync(file).size).toBeLessThan(maxBytes);
  if (records !== undefined) {
    expect(log.position()).toEqual({ bytes: Buffer.byteLength(expected), records });
    expect(fs.readFileSync(file, 'utf8')).toBe(expected);
  }
}

/** At the end: the position counts every record, and the closed file holds exactly `expected`. */
function expectClosed(log: LogBuffer, file: string, expected: string, records: number): void {
  expect(log.position()).toEqual({ bytes: Buffer.byteLength(expected), records });
  log.close();
  expect(fs.readFileSync(file, 'utf8')).toBe(expected);
}

describe('LogBuffer', () => {
  it('writes exactly the lines toJsonLine gives, whatever the batching, and knows the file length', () => {
    let trial = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(record(true), record(false)), { maxLength: 40 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.constantFrom(0, 0.1, 0.25, Infinity),
        fc.array(fc.nat(40), { maxLength: 3 }),
        (specs, maxBytes, maxSeconds, positionsAt) => {
          const file = path.join(dir, `p${trial++}.jsonl`);
          const log = new LogBuffer(file, maxBytes, maxSeconds);
          let expected = '';
          let elapsed = 0;
          const records: LogRecord[] = [];
          specs.forEach((s, i) => {
            elapsed += s.dt;
            const r: LogRecord = { step: s.step, loss: s.loss, metrics: metricsObject(s.kind, s.entries), elapsed };
            records.push(r);
            log.add(r);
            expected += toJsonLine(r);
            expectAppended(log, file, expected, maxBytes, positionsAt.includes(i) ? i + 1 : undefined);
          });
          expectClosed(log, file, expected, specs.length);
          // records of finite numbers below 1e15 are JSON.stringify's JSON
          for (const r of records) {
            const plain = [r.step, r.loss, r.elapsed, ...Object.values(r.metrics).flat()].every(plainNumber);
            if (plain) expect(toJsonLine(r)).toBe(`${JSON.stringify(r)}\n`);
          }
          const back = readJsonl(file);
          expect(back.tornTail).toBe(false);
          expect(back.records).toHaveLength(records.length);
          fs.rmSync(file);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('continues a cut log, counting from its length and records', () => {
    const file = path.join(dir, 'append.jsonl');
    const first: LogRecord = { step: 0, loss: 1, metrics: { x: [1, 2] }, elapsed: 0 };
    fs.writeFileSync(file, toJsonLine(first));
    const log = new LogBuffer(file, undefined, undefined, { bytes: fs.statSync(file).size, records: 1 });
    const second: LogRecord = { step: 1, loss: NaN, metrics: {}, elapsed: 0.01 };
    log.add(second);
    const third: LogRecord = { step: 2, loss: 0.5, metrics: { x: [0.25, -0] }, elapsed: 0.02 };
    log.add(third);
    const expected = toJsonLine(first) + toJsonLine(second) + toJsonLine(third);
    expect(log.position()).toEqual({ bytes: Buffer.byteLength(expected), records: 3 });
    log.close();
    expect(fs.readFileSync(file, 'utf8')).toBe(expected);
  });
});

describe('RecordRows (the loop\'s records as rows of numbers)', () => {
  const layout = fc.uniqueArray(
    fc.record({ name: metricName, shape: fc.oneof(fc.constant<number[]>([]), fc.tuple(fc.nat(4)), fc.tuple(fc.integer({ min: 1, max: 2 }), fc.nat(3))) }),
    { maxLength: 4, selector: (m) => m.name },
  );
  const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

  it('give exactly the log.jsonl bytes of toJsonLine of the equivalent records, whatever the batching', () => {
    let trial = 0;
    fc.assert(
      fc.property(
        layout.chain((metrics) =>
          fc.tuple(
            fc.constant(metrics),
            fc.array(
              fc.record({
                step: fc.nat(),
                loss: anyNumber,
                dt: fc.double({ min: 0, max: 0.2, noNaN: true }),
                // null: a record without metrics (a run diverging in its parameters)
                values: fc.option(fc.tuple(...metrics.map((m) => fc.array(anyNumber, { minLength: size(m.shape), maxLength: size(m.shape) }))), { freq: 8 }),
              }),
              { maxLength: 30 },
            ),
          ),
        ),
        fc.integer({ min: 1, max: 3000 }),
        fc.constantFrom(0, 0.1, 0.25, Infinity),
        fc.array(fc.nat(30), { maxLength: 3 }),
        fc.nat(3),
        ([metrics, specs], maxBytes, maxSeconds, positionsAt, capacity) => {
          const file = path.join(dir, `rows${trial++}.jsonl`);
          const log = new LogBuffer(file, maxBytes, maxSeconds);
          const rows = new RecordRows(metrics, capacity);
          log.attach(rows);
          let expected = '';
          let elapsed = 0;
          const records: LogRecord[] = [];
          specs.forEach((s, i) => {
            elapsed += s.dt;
            // what the loop hands over: views the program overwrites after the call
            const views = s.values === null ? null : s.values.map((v) => Float64Array.from(v));
            rows.push(s.step, s.loss, elapsed, views);
            log.addRow();
            views?.forEach((v) => v.fill(12345));
            const r: LogRecord = {
              step: s.step,
              loss: s.loss,
              metrics: s.values === null ? {} : metricsObject('plain', metrics.map((m, k) => [m.name, m.shape.length === 0 ? s.values![k]![0]! : s.values![k]!] as const)),
              elapsed,
            };
            records.push(r);
            expected += toJsonLine(r);
            expect(rows.line(i)).toBe(toJsonLine(r));
            expectAppended(log, file, expected, maxBytes, positionsAt.includes(i) ? i + 1 : undefined);
          });
          expectClosed(log, file, expected, specs.length);
          // the records made from the rows are the same records, metric names in the same order
          const made = rows.records();
          expect(made).toHaveLength(records.length);
          made.forEach((m, i) => {
            expect(toJsonLine(m)).toBe(toJsonLine(records[i]!));
            expect(Object.keys(m.metrics)).toEqual(Object.keys(records[i]!.metrics));
            expect(Object.is(m.loss, records[i]!.loss)).toBe(true);
          });
          expect(rows.records()).toBe(made);
          fs.rmSync(file);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keep their order with records added as objects, and continue a cut log', () => {
    const file = path.join(dir, 'rows-append.jsonl');
    const first: LogRecord = { step: 0, loss: 1, metrics: { x: [1, 2], __proto__: 3 } as LogRecord['metrics'], elapsed: 0 };
    fs.writeFileSync(file, toJsonLine(first));
    const log = new LogBuffer(file, undefined, undefined, { bytes: fs.statSync(file).size, records: 1 });
    const rows = new RecordRows([{ name: 'x', shape: [2] }, { name: '__proto__', shape: [] }], 1);
    rows.push(7, 7, 0, [new Float64Array([7, 7]), new Float64Array([7])]); // held before attach: not logged
    log.attach(rows);
    rows.push(1, 0.5, 0.01, [new Float64Array([0.25, -0]), new Float64Array([NaN])]);
    log.addRow();
    const object: LogRecord = { step: 2, loss: Infinity, metrics: {}, elapsed: 0.02 };
    log.add(object);
    rows.push(3, NaN, 0.03, null);
    log.addRow();
    const expected =
      toJsonLine(first) +
      '{"step":1,"loss":0.5,"metrics":{"x":[0.25,0],"__proto__":null},"elapsed":0.01,"nonfinite":{"metrics.__proto__":"NaN"}}\n' +
      toJsonLine(object) +
      '{"step":3,"loss":null,"metrics":{},"elapsed":0.03,"nonfinite":{"loss":"NaN"}}\n';
    expect(log.position()).toEqual({ bytes: Buffer.byteLength(expected), records: 4 });
    log.close();
    expect(fs.readFileSync(file, 'utf8')).toBe(expected);
    const r = rows.records()[1]!;
    expect(Object.keys(r.metrics)).toEqual(['x', '__proto__']);
    expect(r.metrics['__proto__']).toBeNaN();
  });
});

function compile(source: string): Program {
  const r = compileSource(source, { file: 'test.loss' });
  if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics, source));
  return r.program;
}

describe('the training loop\'s records', () => {
  const source = [
    'dim d = 3',
    'dim n = 2',
    'param w[n, d] ~ normal(0, 1)',
    'loss = sum_{i,j} w[i,j]^4',
    'metric norm[i] = |w[i]|',
    'metric total = sum_i |w[i]|',
    'metric row[j] = w[0, j]',
    'metric first = w[1, 2]',
    'optimizer gd(lr = 0.01)',
    'steps 50',
  ].join('\n');

  it('hold the values, names and order of Program.metrics(), as their own copies', () => {
    const program = compile(source);
    const records: LogRecord[] = [];
    const seen: string[] = [];
    train({
      program,
      optimizer: { kind: 'gd', lr: 0.01 },
      steps: 50,
      logCount: 20,
      onRecord: (r) => {
        // the loop calls this right after computing the metrics, at the same parameters
        const reference = program.metrics();
        expect(Object.keys(r.metrics)).toEqual(Object.keys(reference));
        expect(r.metrics).toEqual(reference);
        expect(JSON.stringify(r)).toBe(JSON.stringify({ ...r, metrics: reference }));
        expect(Object.getPrototypeOf(Object.getPrototypeOf(r.metrics))).toBe(null);
        records.push(r);
        seen.push(JSON.stringify(r.metrics));
      },
    });
    expect(records).toHaveLength(20);
    // later steps did not overwrite earlier records' values
    expect(records.map((r) => JSON.stringify(r.metrics))).toEqual(seen);
    expect(new Set(seen).size).toBe(20);
  });

  it('are the same as rows (onRow into RecordRows): same lines, same records, diverging runs included', () => {
    const blowUp = 'param w[2] ~ normal(0, 1)\nloss = 1e300 * sum_i w[i]\nmetric m[i] = 2 * w[i]\nmetric t = w[0]';
    for (const [text, lr, steps] of [
      [source, 0.01, 50],
      [source, 1e3, 40], // the gradient goes non-finite: the last record has a NaN or infinite loss
      [blowUp, 1e10, 20], // the parameters overflow: the last record has no metrics
    ] as const) {
      const program = compile(text);
      const records: LogRecord[] = [];
      const rows = new RecordRows(program.metricInfo);
      train({
        program,
        optimizer: { kind: 'gd', lr },
        steps,
        logCount: 30,
        onRecord: (r) => records.push(r),
        onRow: (step, loss, elapsed, metrics) => rows.push(step, loss, elapsed, metrics),
      });
      expect(rows.length).toBe(records.length);
      expect(records.map((_, i) => rows.line(i)).join('')).toBe(records.map(toJsonLine).join(''));
      expect(rows.records().map(toJsonLine)).toEqual(records.map(toJsonLine));
      if (text === blowUp) expect(records[records.length - 1]!.metrics).toEqual({});
    }
  });

  it('keep a metric named __proto__ as a value', () => {
    let program: Program;
    try {
      program = compile('param w ~ normal(0, 1)\nloss = w^2\nmetric __proto__ = 2 * w\nsteps 3');
    } catch {
      return; // the language does not allow the name: nothing to check
    }
    const records: LogRecord[] = [];
    train({ program, optimizer: { kind: 'gd', lr: 0.1 }, steps: 3, logCount: 4, onRecord: (r) => records.push(r) });
    expect(records).toHaveLength(4);
    for (const r of records) {
      expect(Object.keys(r.metrics)).toEqual(['__proto__']);
      expect(typeof r.metrics['__proto__']).toBe('number');
      expect(JSON.stringify(r.metrics)).toBe(`{"__proto__":${String(r.metrics['__proto__'])}}`);
    }
  });
});
